package handler

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// depth returns the bracket nesting of valid JSON.
func depth(b []byte) int {
	d, most, inStr := 0, 0, false
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case inStr && c == '\\':
			i++
		case c == '"':
			inStr = !inStr
		case inStr:
		case c == '{' || c == '[':
			d++
			most = max(most, d)
		case c == '}' || c == ']':
			d--
		}
	}
	return most
}

// FuzzScan checks the one-pass scanner against encoding/json: the same
// inputs are valid, and the fields it reads are the ones encoding/json reads.
func FuzzScan(f *testing.F) {
	files, _ := filepath.Glob("../fixtures/*.json")
	bad, _ := filepath.Glob("../fixtures/bad/*.json")
	for _, p := range append(files, bad...) {
		b, _ := os.ReadFile(p)
		f.Add(b)
	}
	for _, s := range []string{`{"triggerSource":"\ud83d\ude00","request":{"userAttributes":{"email":"a\u0040b.c","sub":"\ud800x"}}}`,
		`{"a":-0.5e+7,"b":[true,false,null,{}],"c":"\/\b\f\n\r\t"}`, `{"a":01}`, `{"a":1.}`, `{"a":"\x"}`, ` {} `, `{}x`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		ev, err := parse(in)
		valid := json.Valid(in)
		syntaxErr := err != nil && (strings.Contains(err.Error(), "not valid JSON") || strings.Contains(err.Error(), "is empty"))
		depthErr := err != nil && strings.Contains(err.Error(), "nests more than")
		switch {
		case !valid && !syntaxErr && !depthErr:
			t.Fatalf("invalid JSON accepted (err %v): %q", err, in)
		case valid && syntaxErr:
			t.Fatalf("valid JSON refused: %q", in)
		case valid && depthErr != (depth(in) > maxDepth):
			t.Fatalf("depth %d, depth error %v: %q", depth(in), depthErr, in)
		}
		if err != nil || ev.dup != "" {
			return
		}
		var root map[string]json.RawMessage
		if json.Unmarshal(in, &root) != nil {
			t.Fatalf("scanner accepted what encoding/json cannot decode: %q", in)
		}
		str := func(raw json.RawMessage) string {
			var s string
			json.Unmarshal(raw, &s)
			return s
		}
		// encoding/json turns invalid UTF-8 into U+FFFD; the scanner keeps
		// the bytes, and the validators refuse them. Compare as runes.
		u := func(s string) string { return string([]rune(s)) }
		if got, want := u(ev.source), str(root["triggerSource"]); got != want {
			t.Fatalf("triggerSource %q, encoding/json %q", got, want)
		}
		if got, want := u(ev.userName), str(root["userName"]); got != want {
			t.Fatalf("userName %q, encoding/json %q", got, want)
		}
		if r, ok := root["response"]; ok {
			if ev.respStart < 0 || !bytes.Equal(bytes.TrimSpace(in[ev.respStart:ev.respEnd]), bytes.TrimSpace(r)) {
				t.Fatalf("response at [%d:%d], encoding/json %s", ev.respStart, ev.respEnd, r)
			}
		} else if ev.respStart >= 0 {
			t.Fatal("found a response that is not there")
		}
		// Maps, not a struct: encoding/json matches struct fields ignoring case.
		var req map[string]json.RawMessage
		json.Unmarshal(root["request"], &req)
		var attrs map[string]json.RawMessage
		json.Unmarshal(req["userAttributes"], &attrs)
		for _, c := range []struct {
			name string
			a    attr
		}{{AttrEmail, ev.email}, {AttrPhone, ev.phone}} {
			raw, ok := attrs[c.name]
			if ok != c.a.present {
				t.Fatalf("%s present %v, encoding/json %v", c.name, c.a.present, ok)
			}
			if ok && (len(raw) > 0 && raw[0] == '"') != c.a.isStr {
				t.Fatalf("%s isStr %v for %s", c.name, c.a.isStr, raw)
			}
			if c.a.isStr && u(c.a.value) != str(raw) {
				t.Fatalf("%s %q, encoding/json %q", c.name, c.a.value, str(raw))
			}
		}
	})
}
