package stack

import (
	"bytes"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httputil"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/autoconfirm/autoconfirm/harness/cognitofake"
)

// aliasResolver stands between the trigger and cognito-local, and makes the
// two lookups a guard makes follow Cognito's documents where cognito-local
// does not (rules §23):
//   - AdminGetUser resolves a verified alias (rules §22.2: "it can be any of
//     their alias attributes"; only a verified value is an alias), where
//     cognito-local resolves one only in email-as-username pools and ignores
//     *_verified;
//   - ListUsers reads its filter as Cognito documents it (an escaped quote,
//     case-insensitive matching; rules §22.3) and fails when a result lacks an
//     attribute AttributesToGet names (rules §22.4), where cognito-local
//     reads \" literally, matches case-sensitively and ignores
//     AttributesToGet. It uses cognitofake's reading of the grammar.
//
// Every other call passes through unchanged.
type aliasResolver struct {
	upstream *url.URL
	proxy    *httputil.ReverseProxy
	client   *http.Client
	// aliases are the pool's alias attributes; usernames its username
	// attributes, which resolve verified or not.
	aliases, usernames []string
	// faults are the lookup faults scenarios injected (faults.go).
	faults *faultSet
}

func newAliasResolver(cognitoURL string, aliases []string) (*aliasResolver, error) {
	u, err := url.Parse(cognitoURL)
	if err != nil {
		return nil, err
	}
	proxy := httputil.NewSingleHostReverseProxy(u)
	// A call the handler abandons ends in "proxy error: context canceled",
	// which is no news for the run's output (red team round 24); the
	// handler gets its 502 as before.
	proxy.ErrorLog = log.New(io.Discard, "", 0)
	return &aliasResolver{upstream: u, proxy: proxy, client: &http.Client{}, aliases: aliases}, nil
}

const targetPrefix = "AWSCognitoIdentityProviderService."

func (a *aliasResolver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), targetPrefix)
	if op != "AdminGetUser" && op != "ListUsers" {
		a.proxy.ServeHTTP(w, r)
		return
	}
	// Read as strictly as the pool check reads (strictbody.go), by exact
	// member names, as cognito-local reads them.
	body, members, err := readCall(r)
	if err != nil {
		refuse(w, err)
		return
	}
	if a.faults.inject(w, r, op, body) {
		return
	}
	if op == "ListUsers" {
		a.listUsers(w, r.Header, body, members)
		return
	}
	status, header, answer, err := a.call(r.Header, "AdminGetUser", body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if status != http.StatusOK && strings.Contains(string(answer), "UserNotFoundException") {
		pool, perr := stringMember(members, "UserPoolId")
		name, nerr := stringMember(members, "Username")
		if perr == nil && nerr == nil {
			if holder := a.holder(r.Header, pool, name); holder != "" {
				again, _ := json.Marshal(map[string]string{"UserPoolId": pool, "Username": holder})
				if s, h, b, err := a.call(r.Header, "AdminGetUser", again); err == nil {
					status, header, answer = s, h, b
				}
			}
		}
	}
	relay(w, status, header, answer)
}

// relay writes an answer cognito-local gave.
func relay(w http.ResponseWriter, status int, header http.Header, body []byte) {
	for k, v := range header {
		w.Header()[k] = v
	}
	w.Header().Del("Content-Length")
	w.WriteHeader(status)
	w.Write(body)
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
		if a.usernameHolder(attrs, value) {
			return u.Username
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

// listUsers answers ListUsers from cognito-local's whole list, filtered and
// paged the way Cognito documents, and refuses what Cognito refuses: Limit
// outside 0-60 (rules §22.4), a filter it cannot parse (rules §22.3), a
// pagination token it did not issue and a member the API does not define.
func (a *aliasResolver) listUsers(w http.ResponseWriter, h http.Header, body []byte, members map[string]json.RawMessage) {
	in, limit, start, f, msg := readListUsers(body, members)
	if msg != "" {
		fail(w, "InvalidParameterException", msg)
		return
	}
	all, _ := json.Marshal(map[string]string{"UserPoolId": in.UserPoolId})
	status, header, b, err := a.call(h, "ListUsers", all)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	var out struct{ Users []json.RawMessage }
	if status != http.StatusOK || json.Unmarshal(b, &out) != nil {
		relay(w, status, header, b)
		return
	}
	users := []json.RawMessage{}
	for _, raw := range out.Users {
		var u cognitofake.User
		if json.Unmarshal(raw, &u) != nil || !f.Match(u) {
			continue
		}
		if msg := unsetAttribute(u, in.AttributesToGet); msg != "" {
			fail(w, "InvalidParameterException", msg)
			return
		}
		users = append(users, project(raw, in.AttributesToGet))
	}
	page := map[string]any{"Users": users[min(start, len(users)):min(start+limit, len(users))]}
	if start+limit < len(users) {
		page["PaginationToken"] = tokenPrefix + strconv.Itoa(start+limit)
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	json.NewEncoder(w).Encode(page)
}

// listUsersRequest is a ListUsers request as the handler sends it.
type listUsersRequest struct {
	UserPoolId      string
	Filter          string
	Limit           *int
	PaginationToken *string
	AttributesToGet []string
}

// readListUsers reads a ListUsers request as Cognito does: its members,
// its Limit, the token that starts its page and its filter; msg says what
// Cognito would refuse, "" for none.
func readListUsers(body []byte, members map[string]json.RawMessage) (in listUsersRequest, limit, start int, f cognitofake.Filter, msg string) {
	// A member Cognito's API does not define, in the exact letter case it
	// defines, is refused, as its request validation does; the message is
	// ours, not verified against Cognito. Go would match "filter" to Filter.
	for name := range members {
		if !slices.Contains(listUsersMembers, name) {
			return in, 0, 0, f, "the ListUsers request is not one Cognito takes: it has the member " + strconv.Quote(name) + "; ListUsers takes " + strings.Join(listUsersMembers, ", ")
		}
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return in, 0, 0, f, "the ListUsers request is not one Cognito takes: " + err.Error()
	}
	if limit, msg = cognitofake.ListUsersLimit(in.Limit); msg != "" {
		return in, 0, 0, f, msg
	}
	if in.PaginationToken != nil {
		n, ok := strings.CutPrefix(*in.PaginationToken, tokenPrefix)
		var err error
		if start, err = strconv.Atoi(n); !ok || err != nil || start < 0 {
			// Unverified text: Cognito's message for a token it did not
			// issue is not documented (rules §22.4).
			return in, 0, 0, f, "Invalid pagination token"
		}
	}
	f, err := cognitofake.ParseFilter(in.Filter)
	if err != nil {
		return in, 0, 0, f, err.Error()
	}
	return in, limit, start, f, ""
}

// unsetAttribute says which attribute of attrs u has not set, as Cognito
// refuses it (rules §22.4); "" when u has them all.
func unsetAttribute(u cognitofake.User, attrs []string) string {
	have := map[string]bool{}
	for _, at := range u.Attributes {
		have[at.Name] = true
	}
	for _, want := range attrs {
		if !have[want] {
			return "AttributesToGet asks for " + strconv.Quote(want) + ", which a user in the results has not set"
		}
	}
	return ""
}

// listUsersMembers are the members of a ListUsers request (API reference,
// ListUsers).
var listUsersMembers = []string{"UserPoolId", "Filter", "Limit", "PaginationToken", "AttributesToGet"}

// tokenPrefix marks the pagination tokens the resolver issues: an offset
// into the filtered list, which cognito-local serves whole.
const tokenPrefix = "autoconfirm-local:"

// project keeps only the attributes AttributesToGet names, as Cognito
// returns them; nil keeps all.
func project(raw json.RawMessage, keep []string) json.RawMessage {
	if keep == nil {
		return raw
	}
	var u map[string]json.RawMessage
	var attrs []struct{ Name, Value string }
	if json.Unmarshal(raw, &u) != nil || json.Unmarshal(u["Attributes"], &attrs) != nil {
		return raw
	}
	kept := attrs[:0]
	for _, at := range attrs {
		if slices.Contains(keep, at.Name) {
			kept = append(kept, at)
		}
	}
	u["Attributes"], _ = json.Marshal(kept)
	b, _ := json.Marshal(u)
	return b
}

// fail answers with a Cognito error.
func fail(w http.ResponseWriter, kind, message string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(http.StatusBadRequest)
	json.NewEncoder(w).Encode(map[string]string{"__type": kind, "message": message})
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
