package stack

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The pool check reads a call's body exactly as cognito-local will, or
// refuses it (rules §16): a reader more lenient than cognito-local's (Go
// matches member names in any letter case and keeps the last of two) or
// stricter (a body that is no JSON names no pool to Go, while cognito-local
// reads a form) would check one pool and let cognito-local act on another.

// maxCallBody bounds a call's body (ours: the AWS SDKs send a few kB, and
// cognito-local's parser refuses more than 100 kB).
const maxCallBody = 1 << 20

// callContentType is what the AWS SDKs send with a Cognito call (the AWS
// JSON 1.1 protocol), and what cognito-local parses as JSON.
const callContentType = "application/x-amz-json-1.1"

// errSerialization marks a body the check refuses; fail answers it as
// Cognito answers a body it cannot read, SerializationException.
var errSerialization = errors.New("SerializationException")

// readCall reads r's body, refuses any that is not one JSON object sent as
// JSON, and returns the bytes checked and the object's members by their
// exact names. It leaves r to send on exactly those bytes as JSON 1.1.
func readCall(r *http.Request) ([]byte, map[string]json.RawMessage, error) {
	if err := checkHeaders(r.Header); err != nil {
		return nil, nil, err
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxCallBody+1))
	if err != nil {
		return nil, nil, fmt.Errorf("%w: reading the request: %v", errSerialization, err)
	}
	if len(body) > maxCallBody {
		return nil, nil, fmt.Errorf("%w: the request body is larger than %d bytes", errSerialization, maxCallBody)
	}
	members, err := strictObject(body)
	if err != nil {
		return nil, nil, err
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	r.Header.Set("Content-Type", callContentType)
	r.Header.Del("Content-Encoding")
	// cognito-local reads the operation after the first dot of one header.
	r.Header.Set("X-Amz-Target", r.Header.Get("X-Amz-Target"))
	return body, members, nil
}

// checkHeaders refuses a body not sent as JSON in UTF-8, or sent encoded:
// cognito-local would read a form, or inflate what the check saw packed.
func checkHeaders(h http.Header) error {
	media, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil || (media != callContentType && media != "application/json") {
		return fmt.Errorf("%w: the request's Content-Type is %q; a Cognito call is sent as %s, as the AWS SDKs send it", errSerialization, h.Get("Content-Type"), callContentType)
	}
	for k, v := range params {
		if k != "charset" || !strings.EqualFold(v, "utf-8") {
			return fmt.Errorf("%w: the request's Content-Type has %s=%s; only charset=utf-8 is read", errSerialization, k, v)
		}
	}
	if enc := h.Values("Content-Encoding"); len(enc) > 1 || (len(enc) == 1 && enc[0] != "identity") {
		return fmt.Errorf("%w: the request's Content-Encoding is %q; a Cognito call's body is sent as is", errSerialization, strings.Join(enc, ", "))
	}
	return nil
}

// strictObject parses body as one JSON object in UTF-8 with nothing after
// it, in which no object, at any depth, holds two members whose names are
// equal or equal in any letter case; it returns the top-level members.
func strictObject(body []byte) (map[string]json.RawMessage, error) {
	if !utf8.Valid(body) {
		return nil, fmt.Errorf("%w: the request body is not UTF-8", errSerialization)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("%w: the request body is not a JSON object", errSerialization)
	}
	if err := walkObject(dec); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: the request body holds more than one JSON object", errSerialization)
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(body, &members); err != nil {
		return nil, fmt.Errorf("%w: %v", errSerialization, err)
	}
	return members, nil
}

// walkObject reads the members of an object whose '{' dec has read, up to
// its '}', refusing a name that repeats another in any letter case.
func walkObject(dec *json.Decoder) error {
	seen := map[string]string{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fmt.Errorf("%w: %v", errSerialization, err)
		}
		name := tok.(string) // the decoder gives an object's names as strings
		if first, dup := seen[foldName(name)]; dup {
			return fmt.Errorf("%w: the request body names the member %q twice (as %q and %q); a member is named once, in its own letter case", errSerialization, name, first, name)
		}
		seen[foldName(name)] = name
		if err := walkValue(dec); err != nil {
			return err
		}
	}
	_, err := dec.Token() // '}'
	if err != nil {
		return fmt.Errorf("%w: %v", errSerialization, err)
	}
	return nil
}

// walkValue reads one value, checking the objects it holds.
func walkValue(dec *json.Decoder) error {
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("%w: %v", errSerialization, err)
	}
	switch tok {
	case json.Delim('{'):
		return walkObject(dec)
	case json.Delim('['):
		for dec.More() {
			if err := walkValue(dec); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil { // ']'
			return fmt.Errorf("%w: %v", errSerialization, err)
		}
	}
	return nil
}

// foldName is name with each letter in the smallest of its case forms, as
// Go's encoding/json folds member names (Kelvin's K is k; ſ is s).
func foldName(name string) string {
	var b strings.Builder
	for _, r := range name {
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		b.WriteRune(least)
	}
	return b.String()
}

// stringMember returns the string member name, "" when it is absent or
// null, and refuses any other kind of value, as Cognito does a structure
// where it reads a string (rules §16).
func stringMember(members map[string]json.RawMessage, name string) (string, error) {
	raw, ok := members[name]
	if !ok || string(raw) == "null" {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", fmt.Errorf("%w: %s is not a string", errSerialization, name)
	}
	return s, nil
}

// refuse answers a call the check could not read as Cognito answers a body
// it cannot read: HTTP 400, SerializationException.
func refuse(w http.ResponseWriter, err error) {
	fail(w, errSerialization.Error(), strings.TrimPrefix(err.Error(), errSerialization.Error()+": "))
}
