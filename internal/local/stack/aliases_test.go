package stack

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// cognitoLocal answers as cognito-local does: AdminGetUser by username only,
// ListUsers with every user.
func cognitoLocal(t *testing.T) *httptest.Server {
	users := []map[string]any{
		{"Username": "verified-holder", "Attributes": []map[string]string{{"Name": "email", "Value": "Sam@Example.com"}, {"Name": "email_verified", "Value": "true"}}},
		{"Username": "unverified-holder", "Attributes": []map[string]string{{"Name": "phone_number", "Value": "+15555550100"}, {"Name": "phone_number_verified", "Value": "false"}}},
		{"Username": "quote-holder", "Attributes": []map[string]string{{"Name": "email", "Value": `o"brien@example.com`}}},
		{"Username": "name-holder", "Attributes": []map[string]string{{"Name": "name", "Value": "Sam"}, {"Name": "name_verified", "Value": "true"}}},
	}
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Username string }
		b, _ := io.ReadAll(r.Body)
		json.Unmarshal(b, &in)
		switch strings.TrimPrefix(r.Header.Get("X-Amz-Target"), targetPrefix) {
		case "AdminGetUser":
			for _, u := range users {
				if u["Username"] == in.Username {
					json.NewEncoder(w).Encode(map[string]any{"Username": u["Username"], "UserAttributes": u["Attributes"]})
					return
				}
			}
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"__type":"UserNotFoundException","message":"User does not exist."}`)
		case "ListUsers":
			json.NewEncoder(w).Encode(map[string]any{"Users": users})
		default:
			io.WriteString(w, `{"passed":"through"}`)
		}
	}))
}

// TestAliasResolver: AdminGetUser finds the user who holds a value as a
// verified alias, in any letter case for an email address; not an unverified
// holder, and not an attribute that is no alias. ListUsers reads its filter as
// Cognito documents, and applies AttributesToGet. Other calls pass through.
func TestAliasResolver(t *testing.T) {
	upstream := cognitoLocal(t)
	defer upstream.Close()
	r, err := newAliasResolver(upstream.URL, []string{"email", "phone_number"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(r)
	defer srv.Close()
	call := func(op, arg string) (int, string) {
		body := `{"UserPoolId":"p","Username":"` + arg + `"}`
		if strings.HasPrefix(arg, `"`) { // members, not a username
			body = `{"UserPoolId":"p",` + arg + `}`
		}
		return callOp(t, srv.URL+"/", op, body)
	}
	tests := []struct {
		op, arg string
		status  int
		want    string
	}{
		{"ListUsers", `"Filter":"email = \"sam@example.COM\""`, 200, `"Username":"verified-holder"`},
		{"ListUsers", `"Filter":"email = \"sam@example.org\""`, 200, `{"Users":[]}`},
		{"ListUsers", `"Filter":"name ^= \"Sa\""`, 200, `"Username":"name-holder"`},
		{"ListUsers", `"Filter":"email = \"o\\\"brien@example.com\""`, 200, `"Username":"quote-holder"`},
		{"ListUsers", `"Filter":"email = \"sam@example.com\"","AttributesToGet":["phone_number"]`, 400, "InvalidParameterException"},
		{"ListUsers", `"Filter":"email = \"sam@example.com\"","AttributesToGet":["email_verified"]`, 200, `"Attributes":[{"Name":"email_verified","Value":"true"}]`},
		{"ListUsers", `"Filter":"email = sam"`, 400, "Error while parsing filter."},
		// What Cognito refuses, the resolver refuses (rules §22.4).
		{"ListUsers", `"Limit":100`, 400, "less than or equal to 60"},
		{"ListUsers", `"Limit":-5`, 400, "greater than or equal to 0"},
		{"ListUsers", `"Limit":60`, 200, `"Username":"name-holder"`},
		{"ListUsers", `"Limit":0`, 200, `"Username":"name-holder"`},
		{"ListUsers", `"PaginationToken":"garbage"`, 400, "Invalid pagination token"},
		{"ListUsers", `"Filtre":"email = \"sam@example.com\""`, 400, "InvalidParameterException"},
		// A member in another letter case is none of ListUsers' (Go's
		// decoder would take it for Filter; cognito-local would not).
		{"ListUsers", `"filter":"email = \"sam@example.com\""`, 400, `the member \"filter\"`},
		// Read as strictly as the pool check reads: a member twice in two
		// letter cases is refused.
		{"AdminGetUser", `"Username":"sam@example.com","username":"x"`, 400, "SerializationException"},
		// Pages as Cognito's: Limit users, then a token for the rest.
		{"ListUsers", `"Limit":1`, 200, `"PaginationToken":"autoconfirm-local:1"`},
		{"ListUsers", `"Limit":3,"PaginationToken":"autoconfirm-local:3"`, 200, `{"Users":[{"Attributes":[{"Name":"name","Value":"Sam"},{"Name":"name_verified","Value":"true"}],"Username":"name-holder"}]}`},
		{"AdminGetUser", "verified-holder", 200, `"Username":"verified-holder"`},
		{"AdminGetUser", "sam@example.com", 200, `"Username":"verified-holder"`},
		{"AdminGetUser", "+15555550100", 400, "UserNotFoundException"},
		{"AdminGetUser", "Sam", 400, "UserNotFoundException"},
		{"AdminGetUser", "nobody@example.com", 400, "UserNotFoundException"},
		{"DescribeUserPool", "", 200, `"passed":"through"`},
	}
	for _, tt := range tests {
		status, body := call(tt.op, tt.arg)
		if status != tt.status || !strings.Contains(body, tt.want) {
			t.Errorf("%s %s: %d %s, want %d with %s", tt.op, tt.arg, status, body, tt.status, tt.want)
		}
	}
}
