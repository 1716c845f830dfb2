package stack

import (
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

func TestExpandPlaceholders(t *testing.T) {
	got := expandPlaceholders([]string{
		"USER_POOL_ID=@pool-id", "POOL_ARN=@pool-arn", "ISSUER=@pool-provider-url", "PROVIDER=@pool-provider-name", "CLIENT_ID=@client-id",
		"ALLOWED=@example.com", "LITERAL=x@pool-id", "EMPTY=", "NOVALUE",
	}, "us-east-1_Local1", "client1")
	want := []string{
		"USER_POOL_ID=us-east-1_Local1", "POOL_ARN=arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_Local1",
		"ISSUER=https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Local1", "PROVIDER=cognito-idp.us-east-1.amazonaws.com/us-east-1_Local1",
		"CLIENT_ID=client1", "ALLOWED=@example.com", "LITERAL=x@pool-id", "EMPTY=", "NOVALUE",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestCheckPlaceholders(t *testing.T) {
	for _, tt := range []struct {
		env []string
		err string
	}{
		{[]string{"A=@pool-id", "B=@client-id", "C=@pool-arn", "D=@example.com", "E=plain"}, ""},
		{[]string{"USER_POOL_ID=@pool-ID"}, "USER_POOL_ID=@pool-ID: @pool-ID is no placeholder; they are @pool-id, @pool-arn"},
		{[]string{"DOMAIN=@client.example.com", "POOLS=@pools.example.com"}, ""},
		{[]string{"CLIENT=@client-secret"}, "@client-secret is no placeholder"},
		{[]string{"POOL=@pool_id"}, "@pool_id is no placeholder"},
		{[]string{"POOL=@POOL-ID"}, "@POOL-ID is no placeholder"},
	} {
		err := CheckPlaceholders(tt.env)
		if (err == nil) != (tt.err == "") || (err != nil && !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("%q: %v, want %q", tt.env, err, tt.err)
		}
	}
}

// TestPoolWatch: a call for the run's pool, or for none, passes through; one
// for another pool is denied as IAM denies a role scoped to the run's pool,
// ends the run, and the error names the pool and the variable that holds it.
func TestPoolWatch(t *testing.T) {
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		io.WriteString(w, "passed:"+string(b))
	})
	w := newPoolWatch(next)
	srv := httptest.NewServer(w)
	defer srv.Close()
	call := func(op, body string) (int, string) {
		return callOp(t, srv.URL, op, body)
	}
	// Before the pool exists, nothing is refused.
	if _, got := call("ListUsers", `{"UserPoolId":"us-east-1_Early"}`); !strings.HasPrefix(got, "passed:") {
		t.Errorf("before the pool: %s", got)
	}
	w.watch("us-east-1_Local1", []string{"AWS_REGION=us-east-1", "USER_POOL_ID=us-east-1_wrong", "POOL_ARN=arn:aws:cognito-idp:us-east-1:1:userpool/us-east-1_wrong"})
	for _, c := range []struct{ op, body string }{{"AdminGetUser", `{"UserPoolId":"us-east-1_Local1","Username":"u"}`},
		{"GetUser", `{"AccessToken":"t"}`}, {"SignUp", `{"ClientId":"c"}`}} {
		if status, got := call(c.op, c.body); status != http.StatusOK || got != "passed:"+c.body {
			t.Errorf("%s %s: %d %s, want it passed through", c.op, c.body, status, got)
		}
	}
	if w.Err() != nil {
		t.Fatalf("error before any foreign call: %v", w.Err())
	}
	status, got := call("AdminGetUser", `{"UserPoolId":"us-east-1_wrong","Username":"u"}`)
	if status != http.StatusBadRequest || !strings.Contains(got, `"__type":"AccessDeniedException"`) ||
		!strings.Contains(got, `"message":"User: `+ExecutionRole+` is not authorized to perform: cognito-idp:AdminGetUser on resource: arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_wrong because`) {
		t.Errorf("foreign pool: %d %s", status, got)
	}
	call("ListUsers", `{"UserPoolId":"us-east-1_later"}`)
	select {
	case <-w.ended:
	default:
		t.Error("a call for another pool did not end the run")
	}
	err := w.Err()
	for _, want := range []string{"AdminGetUser for user pool us-east-1_wrong", "not the pool under test (us-east-1_Local1)",
		"USER_POOL_ID holds us-east-1_wrong: give --env USER_POOL_ID=@pool-id", "POOL_ARN holds us-east-1_wrong's ARN: give --env POOL_ARN=@pool-arn"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %q", err, want)
		}
	}
}

// TestPoolWatchNoPool: a pool-scoped call that names no pool, as a handler
// makes when the variable it reads the id from is unset, gets Cognito's
// validation error and ends the run with the --env that fixes it.
func TestPoolWatchNoPool(t *testing.T) {
	for _, tt := range []struct{ name, op, body string }{
		{"missing", "ListUsers", `{"Filter":"email = \"x\""}`},
		{"empty", "AdminGetUser", `{"UserPoolId":"","Username":"u"}`},
		{"null", "AdminGetUser", `{"UserPoolId":null,"Username":"u"}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := newPoolWatch(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) { io.WriteString(rw, "passed") }))
			w.watch("us-east-1_Local1", []string{"AWS_REGION=us-east-1"})
			req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(tt.body))
			req.Header.Set("X-Amz-Target", targetPrefix+tt.op)
			req.Header.Set("Content-Type", callContentType)
			rec := httptest.NewRecorder()
			w.ServeHTTP(rec, req)
			if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `"__type":"InvalidParameterException"`) {
				t.Errorf("answer %d %s, want Cognito's validation error", rec.Code, rec.Body.String())
			}
			select {
			case <-w.ended:
			default:
				t.Error("a call naming no pool did not end the run")
			}
			err := w.Err()
			for _, want := range []string{"called Cognito's " + tt.op + " naming no user pool", "--env NAME=@pool-id", "a setup error"} {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("error %v lacks %q", err, want)
				}
			}
		})
	}
}

func TestFixForHardCodedPool(t *testing.T) {
	got := fixFor("us-east-1_coded", []string{"OTHER=x"})
	if !strings.Contains(got, "No variable of the function's environment holds us-east-1_coded") || !strings.Contains(got, "--env NAME=@pool-id") {
		t.Errorf("%s", got)
	}
}

// TestFollowCrash: the emulator's crash ends the run too.
func TestFollowCrash(t *testing.T) {
	w := newPoolWatch(nil)
	crashed := make(chan struct{})
	done := make(chan struct{})
	go func() { w.follow(crashed); close(done) }()
	close(crashed)
	<-done
	select {
	case <-w.ended:
	default:
		t.Error("a crash did not end the run")
	}
	if w.Err() != nil {
		t.Errorf("a crash is no foreign pool: %v", w.Err())
	}
}
