package handler

import (
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// scan validates a payload as JSON and reads the fields the handler needs, in
// one pass. gjson's validator followed by gjson's walks read the request
// three times; this reads every byte once, which halves the handler's cost.
// FuzzScan checks it against encoding/json.

// where says which object the scanner is in.
type where int

const (
	elsewhere where = iota
	atRoot
	inRequest
	inAttributes
)

type scanner struct {
	b     []byte
	i     int
	depth int
	ev    *event
	err   error
	seen  int // kSource… bits at the root

	// The first bytes of request and userAttributes, for the errors about
	// wrong types; 0 when absent.
	requestKind, attrsKind byte
}

// errSyntax and errDepth stop the scan; parse turns them into messages.
type scanError int

const (
	errSyntax scanError = iota + 1
	errDepth
)

func (e scanError) Error() string { return "scan error" }

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (s *scanner) skipSpace() {
	for s.i < len(s.b) && isSpace(s.b[s.i]) {
		s.i++
	}
}

// value scans one value. at says which object it is the value of, and key
// which member; the few members the handler needs are recorded.
func (s *scanner) value(at where, key string) bool {
	s.skipSpace()
	if s.i >= len(s.b) {
		return s.fail(errSyntax)
	}
	start := s.i
	c := s.b[s.i]
	switch at {
	case atRoot:
		switch key {
		case "request":
			s.requestKind = c
			if c == '{' {
				return s.object(inRequest)
			}
		case "response":
			ok := s.valueAny(c)
			s.ev.respStart, s.ev.respEnd = start, s.i
			return ok
		case "triggerSource", "userPoolId", "userName":
			if c == '"' {
				v, ok := s.str()
				switch key {
				case "triggerSource":
					s.ev.source = v
				case "userPoolId":
					s.ev.poolID = v
				default:
					s.ev.userName = v
				}
				return ok
			}
			if key == "triggerSource" {
				s.ev.source = "\x00" + kindOf(c)
			}
		}
	case inRequest:
		if key == "userAttributes" {
			s.attrsKind = c
			if c == '{' {
				return s.object(inAttributes)
			}
		}
	case inAttributes:
		var a *attr
		switch key {
		case AttrEmail:
			a = &s.ev.email
		case AttrPhone:
			a = &s.ev.phone
		case "sub":
			if c == '"' {
				v, ok := s.str()
				s.ev.sub = v
				return ok
			}
		}
		if a != nil {
			a.present = true
			if c == '"' {
				v, ok := s.str()
				a.value, a.isStr = v, true
				return ok
			}
		}
	}
	return s.valueAny(c)
}

// valueAny scans a value the handler does not read; c is its first byte.
func (s *scanner) valueAny(c byte) bool {
	switch c {
	case '{':
		return s.object(elsewhere)
	case '[':
		return s.array()
	case '"':
		_, ok := s.str()
		return ok
	case 't':
		return s.literal("true")
	case 'f':
		return s.literal("false")
	case 'n':
		return s.literal("null")
	}
	return s.number()
}

func kindOf(c byte) string {
	switch c {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

func (s *scanner) fail(e scanError) bool {
	if s.err == nil {
		s.err = e
	}
	return false
}

func (s *scanner) literal(lit string) bool {
	if len(s.b)-s.i < len(lit) || string(s.b[s.i:s.i+len(lit)]) != lit {
		return s.fail(errSyntax)
	}
	s.i += len(lit)
	return true
}

func (s *scanner) number() bool {
	b, i := s.b, s.i
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	default:
		return s.fail(errSyntax)
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			return s.fail(errSyntax)
		}
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			return s.fail(errSyntax)
		}
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	}
	s.i = i
	return true
}

func (s *scanner) enter() bool {
	s.depth++
	if s.depth > maxDepth {
		return s.fail(errDepth)
	}
	return true
}

func (s *scanner) array() bool {
	if !s.enter() {
		return false
	}
	s.i++ // [
	s.skipSpace()
	if s.i < len(s.b) && s.b[s.i] == ']' {
		s.i++
		s.depth--
		return true
	}
	for {
		if !s.value(elsewhere, "") {
			return false
		}
		if done, ok := s.sep(']'); done || !ok {
			return ok
		}
	}
}

// sep reads what follows a member or an element: a comma, or the closing
// byte, which ends the container and reports done.
func (s *scanner) sep(closing byte) (done, ok bool) {
	s.skipSpace()
	if s.i < len(s.b) {
		switch s.b[s.i] {
		case ',':
			s.i++
			return false, true
		case closing:
			s.i++
			s.depth--
			return true, true
		}
	}
	return false, s.fail(errSyntax)
}

// object scans an object. At the root and in the request and the
// attributes, it refuses a duplicate of a member the handler reads.
func (s *scanner) object(at where) bool {
	if !s.enter() {
		return false
	}
	s.i++ // {
	seen := 0
	s.skipSpace()
	if s.i < len(s.b) && s.b[s.i] == '}' {
		s.i++
		s.depth--
		if at == atRoot {
			s.ev.emptyRoot = true
			s.ev.closeBrace = s.i - 1
		}
		return true
	}
	for {
		s.skipSpace()
		if s.i >= len(s.b) || s.b[s.i] != '"' {
			return s.fail(errSyntax)
		}
		key, ok := s.str()
		if !ok {
			return false
		}
		if bit := memberBit(at, key); bit != 0 {
			if seen&bit != 0 && s.ev.dup == "" {
				// Reported after the scan, so that a syntax error wins.
				s.ev.dup = dupName(at, key)
			}
			seen |= bit
		}
		s.skipSpace()
		if s.i >= len(s.b) || s.b[s.i] != ':' {
			return s.fail(errSyntax)
		}
		s.i++
		if !s.value(at, key) {
			return false
		}
		done, ok := s.sep('}')
		if !ok {
			return false
		}
		if done {
			if at == atRoot {
				s.seen = seen
				s.ev.closeBrace = s.i - 1
			}
			return true
		}
	}
}

// memberBit marks the members whose duplicates the handler refuses.
func memberBit(at where, key string) int {
	switch at {
	case atRoot:
		switch key {
		case "triggerSource":
			return kSource
		case "userPoolId":
			return kPool
		case "userName":
			return kUser
		case "request":
			return kRequest
		case "response":
			return kResponse
		}
	case inRequest:
		if key == "userAttributes" {
			return kRequest // reused bit: the request's own member set
		}
	case inAttributes:
		switch key {
		case AttrEmail:
			return kSource
		case AttrPhone:
			return kPool
		}
	}
	return 0
}

func dupName(at where, key string) string {
	switch at {
	case inRequest:
		return `the key "userAttributes" appears twice in "request"`
	case inAttributes:
		return `the attribute "` + key + `" appears twice in "request.userAttributes"`
	}
	return `the key "` + key + `" appears twice`
}

// str scans a string at s.i and returns its value. Without escapes the value
// aliases the payload; with them it is decoded as encoding/json would.
func (s *scanner) str() (string, bool) {
	b := s.b
	i := s.i + 1
	start := i
	for i < len(b) {
		c := b[i]
		if c == '"' {
			s.i = i + 1
			return bytesToString(b[start:i]), true
		}
		if c == '\\' {
			return s.strEscaped(start)
		}
		if c < 0x20 {
			return "", s.fail(errSyntax)
		}
		i++
	}
	return "", s.fail(errSyntax)
}

func (s *scanner) strEscaped(start int) (string, bool) {
	b := s.b
	out := make([]byte, 0, 32)
	i := start
	for i < len(b) {
		c := b[i]
		switch {
		case c == '"':
			s.i = i + 1
			return string(out), true
		case c < 0x20:
			return "", s.fail(errSyntax)
		case c != '\\':
			out = append(out, c)
			i++
			continue
		}
		i++
		if i >= len(b) {
			return "", s.fail(errSyntax)
		}
		switch b[i] {
		case '"', '\\', '/':
			out = append(out, b[i])
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := hex4(b, i+1)
			if !ok {
				return "", s.fail(errSyntax)
			}
			i += 4
			if utf16.IsSurrogate(r) {
				// A pair makes one rune; a lone half becomes U+FFFD.
				if r2, ok := hex4(b, i+3); ok && i+2 < len(b) && b[i+1] == '\\' && b[i+2] == 'u' {
					if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
						out = utf8.AppendRune(out, d)
						i += 6
						break
					}
				}
				r = utf8.RuneError
			}
			out = utf8.AppendRune(out, r)
		default:
			return "", s.fail(errSyntax)
		}
		i++
	}
	return "", s.fail(errSyntax)
}

// bytesToString aliases b: the handler reads the payload, never writes it,
// and copies what it keeps past the invocation.
func bytesToString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

func hex4(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}
