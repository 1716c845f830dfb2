// Package cognitofake is a Cognito user pool API served over HTTP, for tests.
// It speaks the JSON 1.1 protocol of ListUsers, so the real SDK client, with
// its signing, retries and filter strings, runs against it. It can inject
// latency and faults and records every filter it receives.
package cognitofake

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"time"
)

// Attribute is a name-value pair, as in ListUsers replies.
type Attribute struct {
	Name  string `json:"Name"`
	Value string `json:"Value"`
}

// User is one user, in the ListUsers reply shape.
type User struct {
	Username   string      `json:"Username"`
	Attributes []Attribute `json:"Attributes"`
	UserStatus string      `json:"UserStatus,omitempty"`
	Enabled    bool        `json:"Enabled"`
	PoolID     string      `json:"-"`
}

func (u User) attr(name string) (string, bool) {
	for _, a := range u.Attributes {
		if a.Name == name {
			return a.Value, true
		}
	}
	return "", false
}

// Fault is an injected failure.
type Fault string

// The faults the fake can inject into ListUsers.
const (
	FaultNone      Fault = ""
	Fault500       Fault = "internal-error"     // HTTP 500 InternalErrorException
	FaultThrottle  Fault = "throttled"          // HTTP 400 TooManyRequestsException
	FaultMalformed Fault = "malformed"          // HTTP 200 with a body that is not JSON
	FaultHang      Fault = "hang"               // no answer until the client gives up
	FaultReset     Fault = "reset"              // connection closed mid-body
	FaultNotFound  Fault = "resource-not-found" // HTTP 400 ResourceNotFoundException
	FaultRefused   Fault = "connection-refused" // nothing listens: the client's connection is refused
)

// Call is one recorded ListUsers request.
type Call struct {
	PoolID, Filter, Token string
}

// Server is a running fake.
type Server struct {
	*httptest.Server

	mu       sync.Mutex
	users    []User
	pageSize int
	latency  time.Duration
	fault    Fault
	calls    []Call
}

// New starts a fake. Close it when done.
func New() *Server {
	s := &Server{}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Seed adds users to a pool.
func (s *Server) Seed(poolID string, users ...User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range users {
		u.PoolID = poolID
		s.users = append(s.users, u)
	}
}

// SetPageSize caps the users per page below the client's Limit, so that a
// small pool still answers in several pages.
func (s *Server) SetPageSize(n int) { s.mu.Lock(); s.pageSize = n; s.mu.Unlock() }

// SetLatency delays every answer.
func (s *Server) SetLatency(d time.Duration) { s.mu.Lock(); s.latency = d; s.mu.Unlock() }

// SetFault makes every ListUsers call fail in the given way.
func (s *Server) SetFault(f Fault) { s.mu.Lock(); s.fault = f; s.mu.Unlock() }

// Calls returns the ListUsers calls received so far.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

const target = "AWSCognitoIdentityProviderService."

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	op := r.Header.Get("X-Amz-Target")
	if op != target+"ListUsers" {
		writeError(w, http.StatusBadRequest, "UnknownOperationException", "the fake serves only ListUsers, not "+op)
		return
	}
	var in struct {
		UserPoolId      string
		Filter          string
		Limit           *int
		PaginationToken string
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, "SerializationException", err.Error())
		return
	}
	s.mu.Lock()
	s.calls = append(s.calls, Call{in.UserPoolId, in.Filter, in.PaginationToken})
	latency, fault, pageSize := s.latency, s.fault, s.pageSize
	users := append([]User(nil), s.users...)
	s.mu.Unlock()

	if latency > 0 {
		select {
		case <-time.After(latency):
		case <-r.Context().Done():
			return
		}
	}
	switch fault {
	case Fault500:
		writeError(w, http.StatusInternalServerError, "InternalErrorException", "injected internal error")
		return
	case FaultThrottle:
		writeError(w, http.StatusBadRequest, "TooManyRequestsException", "Rate exceeded")
		return
	case FaultNotFound:
		writeError(w, http.StatusBadRequest, "ResourceNotFoundException", "User pool does not exist.")
		return
	case FaultMalformed:
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		io.WriteString(w, `{"Users":[{"Username":`)
		return
	case FaultHang:
		<-r.Context().Done()
		return
	case FaultReset:
		reset(w)
		return
	}

	f, err := ParseFilter(in.Filter)
	if err != nil {
		writeError(w, http.StatusBadRequest, "InvalidParameterException", err.Error())
		return
	}
	var match []User
	for _, u := range users {
		if u.PoolID == in.UserPoolId && f.Match(u) {
			match = append(match, u)
		}
	}
	limit := 60
	if in.Limit != nil {
		if *in.Limit < 0 || *in.Limit > 60 {
			writeError(w, http.StatusBadRequest, "InvalidParameterException", "Member must have value less than or equal to 60")
			return
		}
		if *in.Limit > 0 {
			limit = *in.Limit
		}
	}
	if pageSize > 0 && pageSize < limit {
		limit = pageSize
	}
	start := 0
	if in.PaginationToken != "" {
		start, err = strconv.Atoi(in.PaginationToken)
		if err != nil || start < 0 || start > len(match) {
			writeError(w, http.StatusBadRequest, "InvalidParameterException", "Invalid pagination token")
			return
		}
	}
	end := min(start+limit, len(match))
	out := struct {
		Users           []User `json:"Users"`
		PaginationToken string `json:"PaginationToken,omitempty"`
	}{Users: match[start:end]}
	if out.Users == nil {
		out.Users = []User{}
	}
	if end < len(match) {
		out.PaginationToken = strconv.Itoa(end)
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	json.NewEncoder(w).Encode(out)
}

func writeError(w http.ResponseWriter, code int, typ, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Errortype", typ)
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]string{"__type": typ, "message": msg})
}

// reset promises a long body, sends part of it and drops the connection.
func reset(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		writeError(w, http.StatusInternalServerError, "InternalErrorException", "cannot hijack")
		return
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		return
	}
	buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: 4096\r\n\r\n{\"Users\":[")
	buf.Flush()
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0) // RST rather than FIN
	}
	conn.Close()
}
