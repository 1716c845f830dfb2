package cognitofake

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// call sends one raw JSON 1.1 request and returns the HTTP status, the error
// type (empty on success) and the decoded body.
func call(t *testing.T, s *Server, op string, in any) (int, string, map[string]any) {
	t.Helper()
	b, _ := json.Marshal(in)
	req, _ := http.NewRequest(http.MethodPost, s.URL, bytes.NewReader(b))
	req.Header.Set("X-Amz-Target", target+op)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	typ, _ := out["__type"].(string)
	return resp.StatusCode, typ, out
}

func attrs(kv ...string) []Attribute {
	var out []Attribute
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, Attribute{kv[i], kv[i+1]})
	}
	return out
}

func TestAdminGetUserResolves(t *testing.T) {
	s := New()
	defer s.Close()
	s.Seed("p",
		User{Username: "alice", Enabled: true, Attributes: attrs("sub", "sub-a", "email", "Alice@Example.com", "email_verified", "true")},
		User{Username: "bob", Enabled: true, Attributes: attrs("sub", "sub-b", "email", "bob@example.com", "email_verified", "false", "phone_number", "+15555550100", "phone_number_verified", "true")},
		User{Username: "carol", Enabled: false, Attributes: attrs("email", "carol@example.com", "email_verified", "true", "preferred_username", "cc")},
	)
	s.CreatePool("u", PoolConfig{UsernameAttributes: []string{"email"}})
	s.Seed("u", User{Username: "uuid-d", Enabled: true, Attributes: attrs("email", "dave@example.com", "email_verified", "false")})
	s.CreatePool("e", PoolConfig{AliasAttributes: []string{"email"}})
	s.Seed("e", User{Username: "erin", Enabled: true, Attributes: attrs("phone_number", "+15555550199", "phone_number_verified", "true")})

	tests := []struct {
		pool, name string
		want       string // the username returned, or the error type
	}{
		{"p", "alice", "alice"},
		{"p", "sub-b", "bob"},
		{"p", "alice@example.com", "alice"}, // email without regard to case
		{"p", "+15555550100", "bob"},
		{"p", "bob@example.com", "UserNotFoundException"}, // held, but not verified: no alias
		{"p", "carol@example.com", "carol"},               // disabled users are returned
		{"p", "cc", "UserNotFoundException"},              // preferred_username is not an alias of this pool
		{"p", "nobody@example.com", "UserNotFoundException"},
		{"u", "dave@example.com", "uuid-d"},            // a username attribute need not be verified
		{"e", "+15555550199", "UserNotFoundException"}, // phone is not an alias in this pool
		{"missing", "alice", "ResourceNotFoundException"},
		{"p", strings.Repeat("a", 129), "InvalidParameterException"},
		{"p", "has space@example.com", "InvalidParameterException"},
		{"p", "", "InvalidParameterException"},
	}
	for _, tt := range tests {
		t.Run(tt.pool+"/"+tt.name, func(t *testing.T) {
			_, typ, out := call(t, s, OpAdminGetUser, map[string]string{"UserPoolId": tt.pool, "Username": tt.name})
			got := typ
			if got == "" {
				got, _ = out["Username"].(string)
			}
			if got != tt.want {
				t.Errorf("got %q, want %q (%v)", got, tt.want, out)
			}
		})
	}
	_, _, out := call(t, s, OpAdminGetUser, map[string]string{"UserPoolId": "p", "Username": "carol"})
	if out["Enabled"] != false {
		t.Errorf("a disabled user came back with Enabled=%v", out["Enabled"])
	}
}

func TestListUsersAttributesToGet(t *testing.T) {
	s := New()
	defer s.Close()
	s.Seed("p",
		User{Username: "a", Attributes: attrs("email", "x@example.com", "email_verified", "true")},
		User{Username: "b", Attributes: attrs("email", "x@example.com", "email_verified", "true", "phone_number", "+15555550100")},
	)
	filter := `email = "x@example.com"`
	tests := []struct {
		get     []string
		wantErr bool
	}{
		{nil, false},
		{[]string{"email", "email_verified"}, false},
		{[]string{"email", "phone_number"}, true}, // user a has no phone number (rules §22.4)
	}
	for _, tt := range tests {
		in := map[string]any{"UserPoolId": "p", "Filter": filter}
		if tt.get != nil {
			in["AttributesToGet"] = tt.get
		}
		_, typ, out := call(t, s, OpListUsers, in)
		if (typ == "InvalidParameterException") != tt.wantErr {
			t.Errorf("AttributesToGet %v: %q %v", tt.get, typ, out)
		}
		if !tt.wantErr && len(out["Users"].([]any)) != 2 {
			t.Errorf("AttributesToGet %v: %v", tt.get, out)
		}
	}
	_, _, out := call(t, s, OpListUsers, map[string]any{"UserPoolId": "p", "Filter": filter, "AttributesToGet": []string{"email_verified"}})
	for _, u := range out["Users"].([]any) {
		if a := u.(map[string]any)["Attributes"].([]any); len(a) != 1 {
			t.Errorf("AttributesToGet [email_verified] returned %v", a)
		}
	}
	if _, typ, _ := call(t, s, OpListUsers, map[string]any{"UserPoolId": "nope"}); typ != "ResourceNotFoundException" {
		t.Errorf("unknown pool: %q", typ)
	}
}

func TestQuotas(t *testing.T) {
	tests := []struct {
		name    string
		q       Quotas
		op      string
		in      map[string]string
		n, okay int
	}{
		// Requests sent at once: a bucket holds one second's worth.
		{"UserList", DefaultQuotas, OpListUsers, map[string]string{"UserPoolId": "p"}, 40, 30},
		{"UserRead", Quotas{UserRead: 120}, OpAdminGetUser, map[string]string{"UserPoolId": "p", "Username": "nobody"}, 130, 120},
		{"per user", DefaultQuotas, OpAdminGetUser, map[string]string{"UserPoolId": "p", "Username": "alice"}, 15, 10},
		{"none", Quotas{}, OpListUsers, map[string]string{"UserPoolId": "p"}, 100, 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New()
			defer s.Close()
			s.SetQuotas(tt.q)
			s.Seed("p", User{Username: "alice"})
			ok, throttledN := 0, 0
			for range tt.n {
				_, typ, _ := call(t, s, tt.op, tt.in)
				switch typ {
				case "", "UserNotFoundException":
					ok++
				case "TooManyRequestsException":
					throttledN++
				default:
					t.Fatalf("unexpected %s", typ)
				}
			}
			// A slow machine refills a few tokens during the loop.
			if ok < tt.okay || ok > tt.okay+tt.okay/10+1 || ok+throttledN != tt.n {
				t.Errorf("%d answered, %d throttled; want about %d answered", ok, throttledN, tt.okay)
			}
		})
	}
}

func TestDescribeUserPool(t *testing.T) {
	s := New()
	defer s.Close()
	s.CreatePool("e", PoolConfig{AliasAttributes: []string{"email"}})
	s.CreatePool("u", PoolConfig{UsernameAttributes: []string{"email"}})
	for pool, want := range map[string]string{"e": `"AliasAttributes":["email"]`, "u": `"UsernameAttributes":["email"]`} {
		_, typ, out := call(t, s, OpDescribeUserPool, map[string]string{"UserPoolId": pool})
		b, _ := json.Marshal(out)
		if typ != "" || !strings.Contains(string(b), want) {
			t.Errorf("%s: %s", pool, b)
		}
	}
	s.SetDescribeFault(FaultThrottle)
	if _, typ, _ := call(t, s, OpDescribeUserPool, map[string]string{"UserPoolId": "e"}); typ != "TooManyRequestsException" {
		t.Errorf("describe fault: %q", typ)
	}
	if _, typ, _ := call(t, s, OpListUsers, map[string]string{"UserPoolId": "e"}); typ != "" {
		t.Errorf("a describe fault reached ListUsers: %q", typ)
	}
	if n := len(s.UserCalls()); n != 1 {
		t.Errorf("UserCalls = %d, want the one ListUsers", n)
	}
}
