package stack

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
)

// TestScopedRole: on the run's pool, the function's calls are answered as
// an execution role scoped to that pool would have them: reads and the
// writes of a pre sign-up trigger pass to the pool; calls IAM does not
// evaluate pass; any change to a pool or its clients, a listing of pools,
// a user write no trigger needs, or a call on another pool is denied with
// IAM's AccessDeniedException, before the pool sees it.
func TestScopedRole(t *testing.T) {
	var reached []string
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached = append(reached, strings.TrimPrefix(r.Header.Get("X-Amz-Target"), targetPrefix))
		io.WriteString(w, `{}`)
	})
	w := newPoolWatch(next)
	var said []string
	w.say = func(op string) { said = append(said, op) }
	w.watch("us-east-1_Local1", nil)
	srv := httptest.NewServer(w)
	defer srv.Close()
	const own, other = `{"UserPoolId":"us-east-1_Local1"}`, `{"UserPoolId":"us-east-1_Other"}`
	tests := []struct {
		op, body string
		resource string // "" when the call is allowed
	}{
		{"AdminGetUser", own, ""},
		{"ListUsers", own, ""},
		{"DescribeUserPool", own, ""},
		{"DescribeUserPoolClient", own, ""},
		{"ListGroups", own, ""},
		{"AdminListGroupsForUser", own, ""},
		{"AdminLinkProviderForUser", own, ""},
		{"AdminCreateUser", own, ""},
		{"AdminUpdateUserAttributes", own, ""},
		{"SignUp", `{"ClientId":"c"}`, ""},
		{"GetUser", `{"AccessToken":"t"}`, ""},
		{"CreateUserPool", `{"PoolName":"evil"}`, "*"},
		{"ListUserPools", `{"MaxResults":60}`, "*"},
		{"UpdateUserPool", own, PoolARN("us-east-1_Local1")},
		{"DeleteUserPool", own, PoolARN("us-east-1_Local1")},
		{"CreateUserPoolClient", own, PoolARN("us-east-1_Local1")},
		{"AdminDeleteUser", own, PoolARN("us-east-1_Local1")},
		{"TagResource", `{"ResourceArn":"` + PoolARN("us-east-1_Local1") + `"}`, PoolARN("us-east-1_Local1")},
		{"NoSuchOperation", own, PoolARN("us-east-1_Local1")},
		{"ListUsers", other, PoolARN("us-east-1_Other")},
	}
	for _, tt := range tests {
		t.Run(tt.op+" "+tt.body, func(t *testing.T) {
			reached = nil
			req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(tt.body))
			req.Header.Set("X-Amz-Target", targetPrefix+tt.op)
			req.Header.Set("Content-Type", callContentType)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var got struct {
				Type    string `json:"__type"`
				Message string
			}
			json.NewDecoder(resp.Body).Decode(&got)
			if tt.resource == "" {
				if resp.StatusCode != http.StatusOK || !slices.Equal(reached, []string{tt.op}) {
					t.Errorf("%d %+v, reached %q: want it passed to the pool", resp.StatusCode, got, reached)
				}
				return
			}
			want := "User: arn:aws:sts::000000000000:assumed-role/PreSignUpRole/PreSignUp is not authorized to perform: cognito-idp:" + tt.op +
				" on resource: " + tt.resource + " because no identity-based policy allows the cognito-idp:" + tt.op + " action"
			if resp.StatusCode != http.StatusBadRequest || got.Type != "AccessDeniedException" || got.Message != want {
				t.Errorf("%d %s %q\nwant 400 AccessDeniedException %q", resp.StatusCode, got.Type, got.Message, want)
			}
			if len(reached) != 0 {
				t.Errorf("the pool saw %q", reached)
			}
		})
	}
	// Each operation denied on the run's pool is said once; the call on
	// another pool ends the run instead.
	slices.Sort(said)
	if want := []string{"AdminDeleteUser", "CreateUserPool", "CreateUserPoolClient", "DeleteUserPool", "ListUserPools", "NoSuchOperation", "TagResource", "UpdateUserPool"}; !slices.Equal(said, want) {
		t.Errorf("said %q, want %q", said, want)
	}
	if err := w.Err(); err == nil || !strings.Contains(err.Error(), "ListUsers for user pool us-east-1_Other") {
		t.Errorf("the call on another pool: %v", err)
	}
}

// TestCleanEnv: a started process gets only the host's variables that carry
// no secret, an empty HOME, no shared AWS files and dummy credentials.
func TestCleanEnv(t *testing.T) {
	host := map[string]string{
		"PATH": "/usr/bin", "TMPDIR": "/tmp/x", "LANG": "C.UTF-8", "HOME": "/root",
		"AWS_ACCESS_KEY_ID": "AKIAHOST", "AWS_SECRET_ACCESS_KEY": "hostsecret", "AWS_PROFILE": "prod",
		"GITHUB_TOKEN": "ghp_host", "COGNITO_CLIENT_SECRET": "hostclient", "HTTPS_PROXY": "http://proxy", "NODE_OPTIONS": "--require /x.js",
		"AWS_CONFIG_FILE": "/root/.aws/config",
	}
	got := cleanEnv(func(k string) string { return host[k] }, "/run/home", "PORT=1")
	want := []string{"PATH=/usr/bin", "TMPDIR=/tmp/x", "LANG=C.UTF-8", "HOME=/run/home",
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_EC2_METADATA_DISABLED=true",
		"AWS_REGION=us-east-1", "AWS_DEFAULT_REGION=us-east-1", "AWS_ACCESS_KEY_ID=local", "AWS_SECRET_ACCESS_KEY=local", "PORT=1"}
	if !slices.Equal(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

// TestDeniedNamesAreBounded: a handler that calls ever new operation names
// is told of the first maxSaid only; a name no operation has, of any length,
// gets UnknownOperationException and is not said at all (red team round 15).
func TestDeniedNamesAreBounded(t *testing.T) {
	w := newPoolWatch(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) { io.WriteString(rw, `{}`) }))
	var said []string
	w.say = func(op string) { said = append(said, op) }
	w.watch("us-east-1_Local1", nil)
	srv := httptest.NewServer(w)
	defer srv.Close()
	call := func(op string) string {
		_, b := callOp(t, srv.URL, op, `{"UserPoolId":"us-east-1_Local1"}`)
		return b
	}
	for i := range 100 {
		call("NoSuchOperation" + strings.Repeat("x", i))
	}
	if len(said) != maxSaid {
		t.Errorf("%d operations said, want %d", len(said), maxSaid)
	}
	for _, op := range []string{strings.Repeat("A", 65), "Admin GetUser", "Get\tUser", "local: PASS", "Get\u202eUser"} {
		if got := call(op); !strings.Contains(got, "UnknownOperationException") {
			t.Errorf("%q: %s, want UnknownOperationException", op, got)
		}
	}
	if len(said) != maxSaid {
		t.Errorf("an unknown operation's name was said: %q", said[maxSaid:])
	}
}

// TestWritesAreBounded: the function's writes cannot grow cognito-local
// without end: a value past Cognito's 2,048 characters is refused, as
// Cognito refuses it, and past maxCreated users every AdminCreateUser is
// (red team round 17).
func TestWritesAreBounded(t *testing.T) {
	var passed atomic.Int32
	w := newPoolWatch(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) { passed.Add(1); io.WriteString(rw, `{}`) }))
	w.watch("us-east-1_Local1", nil)
	srv := httptest.NewServer(w)
	defer srv.Close()
	create := func(value string) string {
		_, b := callOp(t, srv.URL, "AdminCreateUser", `{"UserPoolId":"us-east-1_Local1","Username":"u","UserAttributes":[{"Name":"custom:blob","Value":"`+value+`"}]}`)
		return b
	}
	if got := create(strings.Repeat("é", maxAttributeValue+1)); !strings.Contains(got, "InvalidParameterException") || passed.Load() != 0 {
		t.Errorf("a value of %d characters: %s, passed %d", maxAttributeValue+1, got, passed.Load())
	}
	for range maxCreated {
		create(strings.Repeat("é", maxAttributeValue))
	}
	if passed.Load() != maxCreated {
		t.Errorf("%d of %d creations passed", passed.Load(), maxCreated)
	}
	if got := create("x"); !strings.Contains(got, "LimitExceededException") || passed.Load() != maxCreated {
		t.Errorf("creation %d: %s", maxCreated+1, got)
	}
}
