package localstack

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
)

// aliasResolver stands between the trigger and cognito-local, and makes
// AdminGetUser resolve a verified alias, as Cognito documents (facts §4.6:
// "it can be any of their alias attributes"; only a verified value is an
// alias). cognito-local resolves an email or phone number only in
// email-as-username pools and ignores *_verified (facts §7), so without this
// an AdminGetUser guard finds no holder there and cannot be judged. Every
// other call passes through unchanged.
type aliasResolver struct {
	upstream *url.URL
	proxy    *httputil.ReverseProxy
	client   *http.Client
	// aliases are the pool's alias attributes.
	aliases []string
}

func newAliasResolver(cognitoURL string, aliases []string) (*aliasResolver, error) {
	u, err := url.Parse(cognitoURL)
	if err != nil {
		return nil, err
	}
	return &aliasResolver{upstream: u, proxy: httputil.NewSingleHostReverseProxy(u), client: &http.Client{}, aliases: aliases}, nil
}

const targetPrefix = "AWSCognitoIdentityProviderService."

func (a *aliasResolver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("X-Amz-Target") != targetPrefix+"AdminGetUser" {
		a.proxy.ServeHTTP(w, r)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	status, header, answer, err := a.call(r.Header, "AdminGetUser", body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if status != http.StatusOK && strings.Contains(string(answer), "UserNotFoundException") {
		var in struct{ UserPoolId, Username string }
		if json.Unmarshal(body, &in) == nil {
			if holder := a.holder(r.Header, in.UserPoolId, in.Username); holder != "" {
				again, _ := json.Marshal(map[string]string{"UserPoolId": in.UserPoolId, "Username": holder})
				if s, h, b, err := a.call(r.Header, "AdminGetUser", again); err == nil {
					status, header, answer = s, h, b
				}
			}
		}
	}
	for k, v := range header {
		w.Header()[k] = v
	}
	w.Header().Del("Content-Length")
	w.WriteHeader(status)
	w.Write(answer)
}

// holder returns the username of the user who holds value, verified, as one
// of the pool's alias attributes; an email address matches in any letter
// case. It lists the pool, which cognito-local answers in one page.
func (a *aliasResolver) holder(h http.Header, pool, value string) string {
	req, _ := json.Marshal(map[string]string{"UserPoolId": pool})
	status, _, b, err := a.call(h, "ListUsers", req)
	if err != nil || status != http.StatusOK {
		return ""
	}
	var out struct {
		Users []struct {
			Username   string
			Attributes []struct{ Name, Value string }
		}
	}
	if json.Unmarshal(b, &out) != nil {
		return ""
	}
	for _, u := range out.Users {
		attrs := map[string]string{}
		for _, at := range u.Attributes {
			attrs[at.Name] = at.Value
		}
		for _, alias := range a.aliases {
			v, ok := attrs[alias]
			same := v == value || (alias == "email" && strings.EqualFold(v, value))
			if ok && same && attrs[alias+"_verified"] == "true" {
				return u.Username
			}
		}
	}
	return ""
}

// call sends one operation to cognito-local with the caller's headers.
func (a *aliasResolver) call(h http.Header, op string, body []byte) (int, http.Header, []byte, error) {
	req, err := http.NewRequest(http.MethodPost, a.upstream.String()+"/", bytes.NewReader(body))
	if err != nil {
		return 0, nil, nil, err
	}
	for k, v := range h {
		req.Header[k] = v
	}
	req.Header.Set("X-Amz-Target", targetPrefix+op)
	req.Header.Del("Content-Length")
	resp, err := a.client.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b, err
}
