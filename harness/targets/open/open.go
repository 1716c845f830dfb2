// Package open opens the target a run names, after a live target's
// pre-flight checks: the one way the runner, local and diff reach a
// handler, in process, as a deployed function, or through a pool.
package open

import (
	"context"
	"errors"
	"fmt"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/autoconfirm/autoconfirm/handler"
	"github.com/autoconfirm/autoconfirm/harness/deployed"
	"github.com/autoconfirm/autoconfirm/harness/targets"
)

// Spec names a target and what a run against it judges.
type Spec struct {
	// Target is inprocess, lambda or pool.
	Target string
	// PoolID and ClientID name the pool and its app client; Secret is the
	// client's secret, if it has one. Function is the lambda target's.
	PoolID, ClientID, Secret, Function string
	// Policy and Lookup are the ALIAS_POLICY and ALIAS_LOOKUP the trigger
	// under test runs.
	Policy, Lookup string
	// Emulator names a local emulator whose known gaps skip scenarios:
	// cognito-local, autoconfirm-local (local's own pool), or "".
	Emulator string
	// ExpectCode and ExpectFunction are --expect-code and --expect-function.
	ExpectCode, ExpectFunction string
	// Unmask shows values in messages unmasked.
	Unmask bool
	// Namer names the run's users.
	Namer *targets.Namer
	// FaultsURL is local's fault control; only its own pool takes faults.
	FaultsURL string
	// Access reaches AWS or the local stack; live targets only, once
	// their own options are checked.
	Access func(context.Context) (Access, error)
}

// Opened is an open target, and what ends its run: nil for one that
// creates nothing.
type Opened struct {
	Target targets.Target
	Close  func(context.Context) (int, error)
}

// cognitoLocalAdminGetUser is why an AdminGetUser guard cannot be judged on
// existing users against cognito-local (rules §23).
const cognitoLocalAdminGetUser = "not observable with cognito-local: its AdminGetUser resolves an email address or phone number only in email-as-username pools and ignores *_verified, so an AdminGetUser guard finds no existing user there whatever it does"

// emptyDropped is cognito-local's gap that shows only through SignUp.
const emptyDropped = "cognito-local drops an attribute sent empty in SignUp before the trigger runs, so an empty value never reaches the trigger at pool depth and the scenario would pass whatever the trigger does; the lambda and inprocess targets check it"

// emulatorPoolLimits are the known gaps that show only through SignUp.
// autoconfirm-local is cognito-local as `local` runs it.
var emulatorPoolLimits = map[string]map[string]string{
	"cognito-local":     {"@empty-value": emptyDropped},
	"autoconfirm-local": {"@empty-value": emptyDropped},
}

// emulatorLimits are the known gaps of local emulators, by scenario tag.
// autoconfirm-local has none of these: the trigger reaches cognito-local
// through a resolver that reads filters and resolves aliases as Cognito does
// (internal/local/stack/aliases.go).
var emulatorLimits = map[string]map[string]string{
	"cognito-local": {
		"@filter-escaping": `cognito-local reads \" in a ListUsers filter literally, unlike Cognito, so a value with a quote never matches`,
		"@email-case":      "cognito-local matches ListUsers filters with regard to case, unlike Cognito, so an address written in other letter case is never found there",
	},
	"autoconfirm-local": {},
}

// Target opens the target s names, after the pre-flight checks of a live
// one; say receives what the checks found that the run cannot show, such as
// a function timeout above Cognito's wait.
func Target(ctx context.Context, s Spec, say func(string)) (Opened, error) {
	live, err := s.live()
	if err != nil {
		return Opened{}, err
	}
	switch s.Target {
	case "inprocess":
		if s.ExpectCode != "" || s.ExpectFunction != "" {
			return Opened{}, errors.New("--expect-code and --expect-function check a deployed function, so they need --target pool or lambda")
		}
		return Opened{Target: &targets.InProcess{Lookup: live.Lookup}}, nil
	case "pool":
		return s.pool(ctx, live, say)
	case "lambda":
		if s.Function == "" {
			return Opened{}, errors.New("--target lambda needs --function (or CONFORMANCE_FUNCTION)")
		}
		if s.PoolID == "" {
			return Opened{}, errors.New("--target lambda needs --pool-id (or COGNITO_USER_POOL_ID): the scenarios create the users a sign-up must not take an alias from in that pool, and point each event at it, so that the function's own lookups see them")
		}
		acc, err := s.Access(ctx)
		if err != nil {
			return Opened{}, err
		}
		t, err := Deployed(ctx, acc, s.Function, s.ExpectCode, live, say, s.checkTrigger)
		if err != nil {
			return Opened{}, err
		}
		return Opened{Target: t, Close: t.Close}, nil
	}
	return Opened{}, fmt.Errorf("unknown --target %q; use inprocess, lambda or pool", s.Target)
}

// live checks the policy, lookup and emulator, and returns the live
// targets' options.
func (s Spec) live() (targets.LiveOptions, error) {
	policy := handler.Policy(s.Policy)
	switch policy {
	case handler.PolicySkipVerify, handler.PolicyReject, handler.PolicyAllow:
	default:
		return targets.LiveOptions{}, fmt.Errorf("--alias-policy %q is not valid; allowed: skip-verify, reject, allow", s.Policy)
	}
	lookup := handler.LookupMode(s.Lookup)
	switch lookup {
	case handler.LookupAdminGetUser, handler.LookupListUsers:
	default:
		return targets.LiveOptions{}, fmt.Errorf("--alias-lookup %q is not valid; allowed: admin-get-user, list-users", s.Lookup)
	}
	limits, ok := emulatorLimits[s.Emulator]
	if s.Emulator != "" && !ok {
		return targets.LiveOptions{}, fmt.Errorf("--emulator %q is not known; allowed: cognito-local, autoconfirm-local", s.Emulator)
	}
	live := targets.LiveOptions{PoolID: s.PoolID, ClientID: s.ClientID, Policy: policy, Lookup: lookup, Namer: s.Namer,
		Concurrency: 4, Limits: limits, PoolLimits: emulatorPoolLimits[s.Emulator], Unmask: s.Unmask}
	if s.Emulator == "autoconfirm-local" && s.FaultsURL != "" {
		live.Faults = targets.NewFaultClient(s.FaultsURL)
	}
	if s.Emulator == "cognito-local" && lookup == handler.LookupAdminGetUser {
		live.HoldersUnobservable = cognitoLocalAdminGetUser
	}
	return live, nil
}

// pool opens the pool target: the pool has a trigger, the app client
// exists, and the trigger is what --expect-function and --expect-code say.
func (s Spec) pool(ctx context.Context, live targets.LiveOptions, say func(string)) (Opened, error) {
	if s.PoolID == "" || s.ClientID == "" {
		return Opened{}, errors.New("--target pool needs --pool-id and --client-id (or COGNITO_USER_POOL_ID and COGNITO_CLIENT_ID)")
	}
	acc, err := s.Access(ctx)
	if err != nil {
		return Opened{}, err
	}
	trigger, err := preflight(ctx, acc, s.PoolID, "")
	if err != nil {
		return Opened{}, err
	}
	if trigger == "" {
		return Opened{}, fmt.Errorf("the user pool %s has no pre sign-up trigger (LambdaConfig.PreSignUp is empty), so no scenario would reach a handler: attach the function to the pool's pre sign-up trigger, or give the pool that has it", s.PoolID)
	}
	if err := clientExists(ctx, acc, s.ClientID, s.Secret); err != nil {
		return Opened{}, err
	}
	if err := s.checkTrigger(trigger); err != nil {
		return Opened{}, err
	}
	code, err := deployedCode(ctx, acc, trigger, s.ExpectCode, say)
	if err != nil {
		return Opened{}, err
	}
	api := acc.Cognito(func(o *cip.Options) { o.Retryer = targets.LiveRetry() })
	t := targets.NewPool(api, s.ClientID, s.Secret, live)
	t.Trigger, t.Code = trigger, code
	return Opened{Target: t, Close: t.Close}, nil
}

// checkTrigger checks --expect-function against the pool's trigger.
func (s Spec) checkTrigger(trigger string) error {
	if s.ExpectFunction == "" {
		return nil
	}
	if err := deployed.CheckTrigger(s.ExpectFunction, trigger); err != nil {
		return fmt.Errorf("user pool %s: %w", s.PoolID, err)
	}
	return nil
}

// Lambda is the one way a run opens a function as a target, deployed or
// hosted by local: through acc, with the live targets' retries, each event
// pointed at live's pool in acc's region, where Cognito invokes its trigger.
func Lambda(acc Access, function string, live targets.LiveOptions) *targets.Lambda {
	live.Region = acc.Region()
	api := acc.Cognito(func(o *cip.Options) { o.Retryer = targets.LiveRetry() })
	return targets.NewLambda(acc.Lambda(func(o *lambda.Options) { o.Retryer = targets.LiveRetry() }), function, api, live)
}

// Deployed opens a deployed function after the pre-flight checks: the pool
// and the function answer, check accepts the pool's trigger, and the
// function runs the code expectCode names, if any.
func Deployed(ctx context.Context, acc Access, function, expectCode string, live targets.LiveOptions, say func(string), check func(trigger string) error) (*targets.Lambda, error) {
	trigger, err := preflight(ctx, acc, live.PoolID, function)
	if err != nil {
		return nil, err
	}
	if err := check(trigger); err != nil {
		return nil, err
	}
	code, err := deployedCode(ctx, acc, function, expectCode, say)
	if err != nil {
		return nil, err
	}
	t := Lambda(acc, function, live)
	t.Code = code
	return t, nil
}
