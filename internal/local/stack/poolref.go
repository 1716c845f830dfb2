package stack

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"
)

// The placeholders a value of the function's environment may be, which the
// stack replaces with the local pool's own once the pool exists: a team's
// function reads its pool's id from its environment, and each run makes a
// new pool with a new id.
const (
	PlaceholderPoolID           = "@pool-id"
	PlaceholderPoolARN          = "@pool-arn"
	PlaceholderPoolProviderName = "@pool-provider-name"
	PlaceholderPoolProviderURL  = "@pool-provider-url"
	PlaceholderClientID         = "@client-id"
)

// Placeholders lists them, each with what it becomes, for help texts.
var Placeholders = [][2]string{
	{PlaceholderPoolID, "the local pool's id"},
	{PlaceholderPoolARN, "its ARN, arn:aws:cognito-idp:" + Region + ":000000000000:userpool/<id>"},
	{PlaceholderPoolProviderName, "its provider name, cognito-idp." + Region + ".amazonaws.com/<id>"},
	{PlaceholderPoolProviderURL, "its provider URL, https://cognito-idp." + Region + ".amazonaws.com/<id>"},
	{PlaceholderClientID, "the local app client's id"},
}

// PoolARN is the ARN of the local pool with this id, in the stack's account
// and region, as CloudFormation's GetAtt Arn gives a pool's.
func PoolARN(id string) string {
	return "arn:aws:cognito-idp:" + Region + ":000000000000:userpool/" + id
}

// lookalike is a value that reads as a placeholder: "@pool_id", "@Client-ID";
// "@client.example.com" is none.
var lookalike = regexp.MustCompile(`^@(?i:pool|client)[A-Za-z_-]*$`)

// CheckPlaceholders refuses a KEY=VALUE whose value looks like a placeholder
// and is none, so a typo is not handed to the function as a literal.
func CheckPlaceholders(env []string) error {
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		if !lookalike.MatchString(v) {
			continue
		}
		if _, ok := placeholderValues("", "")[v]; !ok {
			var names []string
			for _, p := range Placeholders {
				names = append(names, p[0])
			}
			return fmt.Errorf("%s=%s: %s is no placeholder; they are %s", k, v, v, strings.Join(names, ", "))
		}
	}
	return nil
}

func placeholderValues(pool, client string) map[string]string {
	return map[string]string{
		PlaceholderPoolID:           pool,
		PlaceholderPoolARN:          PoolARN(pool),
		PlaceholderPoolProviderName: "cognito-idp." + Region + ".amazonaws.com/" + pool,
		PlaceholderPoolProviderURL:  "https://cognito-idp." + Region + ".amazonaws.com/" + pool,
		PlaceholderClientID:         client,
	}
}

// expandPlaceholders returns env with each value that is a placeholder
// replaced by the local pool's or client's own.
func expandPlaceholders(env []string, pool, client string) []string {
	values := placeholderValues(pool, client)
	out := make([]string, 0, len(env))
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok {
			if local, isPlaceholder := values[v]; isPlaceholder {
				kv = k + "=" + local
			}
		}
		out = append(out, kv)
	}
	return out
}

// poolWatch stands before the resolver and answers as an execution role
// scoped to the run's pool would (role.go). A call that names a user pool
// other than the run's is denied, and the first such call ends the run as a
// setup error: on Lambda the handler would ask the team's own pool, so its
// lookups failing here says nothing about the handler. A call the role does
// not allow on the run's pool is denied, and said once per operation.
type poolWatch struct {
	next http.Handler
	// say hears of each operation denied on the run's pool; nil discards.
	say func(op string)
	// denied are the operations already said.
	denied map[string]bool
	mu     sync.Mutex
	// pool is the run's pool, "" until it exists; env the function's
	// environment, to name the variable that holds a wrong id.
	pool string
	env  []string
	// op and asked are the first call that named another pool; unnamed
	// is set instead of asked when that call named no pool at all.
	op, asked string
	unnamed   bool
	// created counts the users the function created.
	created  int
	ended    chan struct{} // closed when the stack cannot go on
	endOnce  sync.Once
	quit     chan struct{} // closed by Close
	quitOnce sync.Once
}

func newPoolWatch(next http.Handler) *poolWatch {
	return &poolWatch{next: next, denied: map[string]bool{}, ended: make(chan struct{}), quit: make(chan struct{})}
}

// watch sets the run's pool and the function's environment.
func (w *poolWatch) watch(pool string, env []string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.pool, w.env = pool, env
}

// follow ends the run when crashed is closed too: the stack's one signal
// that it cannot go on.
func (w *poolWatch) follow(crashed <-chan struct{}) {
	select {
	case <-crashed:
		w.end()
	case <-w.ended:
	case <-w.quit:
	}
}

func (w *poolWatch) end()   { w.endOnce.Do(func() { close(w.ended) }) }
func (w *poolWatch) close() { w.quitOnce.Do(func() { close(w.quit) }) }

func (w *poolWatch) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	// The body is read as cognito-local reads it, or refused, and exactly
	// the bytes checked go on (strictbody.go).
	_, members, err := readCall(r)
	if err != nil {
		refuse(rw, err)
		return
	}
	var in struct{ UserPoolId, ResourceArn string }
	if in.UserPoolId, err = stringMember(members, "UserPoolId"); err == nil {
		in.ResourceArn, err = stringMember(members, "ResourceArn")
	}
	if err != nil {
		refuse(rw, err)
		return
	}
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), targetPrefix)
	switch {
	case !operationName.MatchString(op):
		// No Cognito operation is named so; nor is any said, of any length
		// (red team round 15).
		fail(rw, "UnknownOperationException", "")
	case in.UserPoolId == "" && poolScoped(op) && w.noPool(op):
		// Cognito's answer for a pool-scoped call without a pool id
		// (rules §10): a validation error, not a pool it does not know.
		fail(rw, "InvalidParameterException", "1 validation error detected: Value null at 'userPoolId' failed to satisfy constraint: Member must not be null")
	case in.UserPoolId != "" && w.foreign(op, in.UserPoolId):
		// A role scoped to the run's pool is denied any other pool's,
		// before Cognito looks for it (rules §16).
		denyAccess(rw, op, PoolARN(in.UserPoolId))
	case !roleAllows(op):
		w.note(op)
		denyAccess(rw, op, resourceOf(in.UserPoolId, in.ResourceArn))
	case w.overBudget(op, members, rw):
	default:
		w.next.ServeHTTP(rw, r)
	}
}

// The function's writes to the pool are bounded, so that it cannot grow
// cognito-local, which is the runner's and keeps every user in memory,
// past what a run needs (red team round 17): an attribute's value is at
// most Cognito's 2,048 characters, and the users it creates at most
// maxCreated, this runner's limit.
const (
	maxAttributeValue = 2048
	maxCreated        = 500
)

// overBudget answers a write past those bounds, and reports whether it did.
func (w *poolWatch) overBudget(op string, members map[string]json.RawMessage, rw http.ResponseWriter) bool {
	var attrs []struct{ Name, Value string }
	json.Unmarshal(members["UserAttributes"], &attrs)
	for _, a := range attrs {
		if utf8.RuneCountInString(a.Value) > maxAttributeValue {
			fail(rw, "InvalidParameterException", fmt.Sprintf("1 validation error detected: Value at 'userAttributes' failed to satisfy constraint: Member must have length less than or equal to %d", maxAttributeValue))
			return true
		}
	}
	if op != "AdminCreateUser" {
		return false
	}
	w.mu.Lock()
	w.created++
	over := w.created > maxCreated
	w.mu.Unlock()
	if over {
		fail(rw, "LimitExceededException", fmt.Sprintf("the handler created more than %d users in this run, autoconfirm-conformance local's limit (docs/cognito-rules.md §17)", maxCreated))
	}
	return over
}

// operationName is what a Cognito operation's name looks like: a word of
// letters, the longest (AdminListUserAuthEvents and its kind) under 64.
var operationName = regexp.MustCompile(`^[A-Za-z]{1,64}$`)

// maxSaid bounds the operations said: a handler that calls ever new names
// is told of the first ones only, and the runner keeps no more.
const maxSaid = 16

// note tells say of op's first denial, for the first maxSaid operations.
func (w *poolWatch) note(op string) {
	w.mu.Lock()
	first := !w.denied[op] && len(w.denied) < maxSaid
	if first {
		w.denied[op] = true
	}
	w.mu.Unlock()
	if first && w.say != nil {
		w.say(op)
	}
}

// poolScoped says whether a Cognito operation requires a UserPoolId: the
// administrators' operations and the pool's own reads (API reference),
// not those a user's token or an app client scopes (SignUp, GetUser).
func poolScoped(op string) bool {
	switch op {
	case "ListUsers", "ListUsersInGroup", "ListGroups", "GetGroup", "DescribeUserPool", "DescribeUserPoolClient",
		"ListUserPoolClients", "GetUserPoolMfaConfig", "DescribeIdentityProvider", "ListIdentityProviders", "GetCSVHeader":
		return true
	}
	return strings.HasPrefix(op, "Admin")
}

// noPool says whether a call that named no pool is to be refused, once the
// run's pool exists, and records it if it is the first refused call.
func (w *poolWatch) noPool(op string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.pool == "" {
		return false
	}
	if w.op == "" {
		w.op, w.unnamed = op, true
		w.end()
	}
	return true
}

// foreign says whether pool is not the run's, and records the first call
// that named one.
func (w *poolWatch) foreign(op, pool string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.pool == "" || pool == w.pool {
		return false
	}
	if w.op == "" {
		w.op, w.asked = op, pool
		w.end()
	}
	return true
}

// Err says which pool the handler asked for and how to give it the run's,
// or is nil.
func (w *poolWatch) Err() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.unnamed {
		return fmt.Errorf("the handler called Cognito's %s naming no user pool (its UserPoolId was missing or empty), so Cognito refuses the call and no scenario can judge the handler (a setup error, not a verdict). On Lambda the handler most likely reads the pool's id from a variable its deployment sets: give that variable the local pool's id with --env NAME=%s (NAME the variable the code reads), or read the id from the event's userPoolId",
			w.op, PlaceholderPoolID)
	}
	if w.asked == "" {
		return nil
	}
	return fmt.Errorf("the handler called Cognito's %s for user pool %s, which is not the pool under test (%s); an execution role scoped to the pool under test is denied it (AccessDeniedException), so no scenario can judge the handler (a setup error, not a verdict). %s",
		w.op, w.asked, w.pool, fixFor(w.asked, w.env))
}

// fixFor names the variable of env that holds the wrong pool, as its id or
// inside an ARN, and the --env that gives it the local pool's.
func fixFor(asked string, env []string) string {
	var fixes []string
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		switch {
		case v == asked:
			fixes = append(fixes, fmt.Sprintf("%s holds %s: give --env %s=%s", k, asked, k, PlaceholderPoolID))
		case strings.HasSuffix(v, "userpool/"+asked):
			fixes = append(fixes, fmt.Sprintf("%s holds %s's ARN: give --env %s=%s", k, asked, k, PlaceholderPoolARN))
		case strings.HasSuffix(v, ".amazonaws.com/"+asked):
			fixes = append(fixes, fmt.Sprintf("%s names %s: give --env %s=%s", k, asked, k, map[bool]string{true: PlaceholderPoolProviderURL, false: PlaceholderPoolProviderName}[strings.HasPrefix(v, "https://")]))
		}
	}
	if len(fixes) == 0 {
		return fmt.Sprintf("No variable of the function's environment holds %s: read the pool's id from the event's userPoolId, or from a variable given as --env NAME=%s, which gives the function the local pool's id", asked, PlaceholderPoolID)
	}
	sort.Strings(fixes)
	return strings.Join(fixes, "; ") + " (the placeholder becomes the local pool's own value)"
}
