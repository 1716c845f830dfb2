// Package cognitofake is a Cognito user pool API served over HTTP, for tests.
// It speaks the JSON 1.1 protocol of ListUsers, AdminGetUser and
// DescribeUserPool, and of AdminCreateUser and AdminDeleteUser for the live
// targets' tests, so the real SDK client, with its signing, retries and
// error decoding, runs against it.
//
// It follows Cognito's documented rules, not kinder ones: each rule cites its
// section of the project's rules document, docs/cognito-rules.md ("rules
// §N"), which gives the sources. It can also inject latency and faults, and
// it records every call it receives.
package cognitofake

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"
)

// Fault is an injected failure. It applies to every operation.
type Fault string

// The faults the fake can inject.
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

// The operations the fake serves.
const (
	OpListUsers        = "ListUsers"
	OpAdminGetUser     = "AdminGetUser"
	OpDescribeUserPool = "DescribeUserPool"
	OpAdminCreateUser  = "AdminCreateUser"
	OpAdminDeleteUser  = "AdminDeleteUser"
)

// Call is one recorded request. Filter, Token and AttributesToGet are set for
// ListUsers, Username for AdminGetUser.
type Call struct {
	Op              string
	PoolID          string
	Filter, Token   string
	AttributesToGet []string
	Username        string
}

// Server is a running fake.
type Server struct {
	*httptest.Server

	mu        sync.Mutex
	pools     map[string]*pool
	pageSize  int
	latency   time.Duration
	fault     Fault
	byValue   map[string]valueFault // faults on the lookups of one value, by its lower case
	describe  Fault                 // a fault for DescribeUserPool alone
	calls     []Call
	quota     *quotas
	throttled int // calls answered TooManyRequestsException by a quota

	closing chan struct{} // closed by Close: a hanging answer ends
	subs    int           // subs handed out by AdminCreateUser
}

// New starts a fake that enforces Cognito's default request quotas. Close it
// when done.
func New() *Server {
	s := &Server{pools: map[string]*pool{}, quota: newQuotas(DefaultQuotas), closing: make(chan struct{})}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Close ends every answer still waiting (latency, a hang) and shuts the fake
// down. A client that outlives its caller, such as a background read, would
// otherwise hold Close until the client gave up.
func (s *Server) Close() {
	select {
	case <-s.closing:
	default:
		close(s.closing)
	}
	s.Server.Close()
}

// SetPageSize caps the users per ListUsers page below the client's Limit, so
// that a small pool still answers in several pages.
func (s *Server) SetPageSize(n int) { s.mu.Lock(); s.pageSize = n; s.mu.Unlock() }

// SetLatency delays every answer.
func (s *Server) SetLatency(d time.Duration) { s.mu.Lock(); s.latency = d; s.mu.Unlock() }

// SetFault makes every call fail in the given way.
func (s *Server) SetFault(f Fault) { s.mu.Lock(); s.fault = f; s.mu.Unlock() }

// SetDescribeFault makes only DescribeUserPool fail, so that a pool whose
// configuration cannot be read still answers user lookups.
func (s *Server) SetDescribeFault(f Fault) { s.mu.Lock(); s.describe = f; s.mu.Unlock() }

// SetQuotas replaces the request quotas; the zero Quotas enforces none.
func (s *Server) SetQuotas(q Quotas) { s.mu.Lock(); s.quota = newQuotas(q); s.mu.Unlock() }

// Calls returns the calls received so far.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// UserCalls returns the ListUsers and AdminGetUser calls: the lookups of
// users, without the reads of the pool's configuration.
func (s *Server) UserCalls() []Call {
	var out []Call
	for _, c := range s.Calls() {
		if c.Op == OpListUsers || c.Op == OpAdminGetUser {
			out = append(out, c)
		}
	}
	return out
}

const target = "AWSCognitoIdentityProviderService."

// operation is one API operation: it reads its input from body and answers.
type operation func(s *Server, w http.ResponseWriter, body []byte)

var operations = map[string]operation{
	target + OpListUsers:        (*Server).listUsers,
	target + OpAdminGetUser:     (*Server).adminGetUser,
	target + OpDescribeUserPool: (*Server).describeUserPool,
	target + OpAdminCreateUser:  (*Server).adminCreateUser,
	target + OpAdminDeleteUser:  (*Server).adminDeleteUser,
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	name := r.Header.Get("X-Amz-Target")
	op, ok := operations[name]
	if !ok {
		writeError(w, http.StatusBadRequest, "UnknownOperationException", "the fake serves ListUsers, AdminGetUser, DescribeUserPool, AdminCreateUser and AdminDeleteUser, not "+name)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	s.mu.Lock()
	latency, fault := s.latency, s.fault
	if name == target+OpDescribeUserPool && s.describe != FaultNone {
		fault = s.describe
	}
	if vf, ok := s.valueFaultOf(callOf(name[len(target):], body)); ok {
		latency, fault = latency+vf.delay, vf.fault
	}
	s.mu.Unlock()
	if latency > 0 {
		select {
		case <-time.After(latency):
		case <-r.Context().Done():
			return
		case <-s.closing:
			return
		}
	}
	// Every call is recorded, a failed one too: it was still made.
	s.record(callOf(name[len(target):], body))
	if fault != FaultNone {
		s.inject(w, r, fault)
		return
	}
	op(s, w, body)
}

// callOf reads the recorded parts of a request body, whatever the operation.
func callOf(op string, body []byte) Call {
	var in struct {
		UserPoolId, Filter, PaginationToken, Username string
		AttributesToGet                               []string
	}
	json.Unmarshal(body, &in) // a body that does not decode records an empty call
	return Call{Op: op, PoolID: in.UserPoolId, Filter: in.Filter, Token: in.PaginationToken, AttributesToGet: in.AttributesToGet, Username: in.Username}
}

func (s *Server) record(c Call) {
	s.mu.Lock()
	s.calls = append(s.calls, c)
	s.mu.Unlock()
}

func (s *Server) inject(w http.ResponseWriter, r *http.Request, f Fault) {
	if WriteFault(w, f) {
		return
	}
	switch f {
	case FaultMalformed:
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		io.WriteString(w, `{"Users":[{"Username":`)
	case FaultHang:
		select {
		case <-r.Context().Done():
		case <-s.closing:
		}
	case FaultReset:
		reset(w)
	default:
		writeError(w, http.StatusInternalServerError, "InternalErrorException", "unknown injected fault "+string(f))
	}
}

// WriteFault answers with the error f stands for, as Cognito sends it, and
// reports whether f is such an error (see docs/cognito-rules.md, the section
// on lookup faults): InternalErrorException is a server fault, HTTP 500;
// TooManyRequestsException and ResourceNotFoundException are client faults,
// HTTP 400.
func WriteFault(w http.ResponseWriter, f Fault) bool {
	switch f {
	case Fault500:
		writeError(w, http.StatusInternalServerError, "InternalErrorException", "injected internal error")
	case FaultThrottle:
		throttled(w)
	case FaultNotFound:
		writeError(w, http.StatusBadRequest, "ResourceNotFoundException", "User pool does not exist.")
	default:
		return false
	}
	return true
}

// throttled is Cognito's answer to a request over a quota (rules §22.5).
func throttled(w http.ResponseWriter) {
	writeError(w, http.StatusBadRequest, "TooManyRequestsException", "Rate exceeded")
}

// Throttled returns how many calls a quota refused.
func (s *Server) Throttled() int { s.mu.Lock(); defer s.mu.Unlock(); return s.throttled }

// decode reads a request body into in, or answers SerializationException.
func decode(w http.ResponseWriter, body []byte, in any) bool {
	if err := json.Unmarshal(body, in); err != nil {
		writeError(w, http.StatusBadRequest, "SerializationException", err.Error())
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, code int, typ, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Errortype", typ)
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]string{"__type": typ, "message": msg})
}

func invalidParameter(w http.ResponseWriter, msg string) {
	writeError(w, http.StatusBadRequest, "InvalidParameterException", msg)
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
