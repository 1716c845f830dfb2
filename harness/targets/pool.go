package targets

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"
	"github.com/tidwall/gjson"

	"github.com/autoconfirm/autoconfirm/handler"
	"github.com/autoconfirm/autoconfirm/harness/secrethash"
	"github.com/autoconfirm/autoconfirm/presignup"
)

// LiveOptions are the settings shared by the targets that reach AWS.
type LiveOptions struct {
	// PoolID is the user pool to sign users up in, or to seed existing users in.
	PoolID string
	// Region is the pool's region, and ClientID the app client a sign-up
	// comes through: the lambda target puts both in each event, as Cognito
	// does (rules §21). Either may be empty, which keeps the fixture's.
	Region, ClientID string
	// Policy is the ALIAS_POLICY the deployed trigger runs.
	Policy handler.Policy
	// Lookup is the ALIAS_LOOKUP the deployed trigger runs.
	Lookup handler.LookupMode
	// HoldersUnobservable, when set, is why this environment cannot show
	// whether the trigger sees existing users: scenarios with any are not
	// observable here.
	HoldersUnobservable string
	// Namer makes the run's data unique.
	Namer *Namer
	// Concurrency bounds concurrent Cognito calls.
	Concurrency int
	// Limits maps a scenario tag to the reason this environment cannot run it,
	// e.g. a known gap of a local emulator.
	Limits map[string]string
	// PoolLimits are such reasons that hold only for sign-ups through the
	// pool, not for events sent to the function directly.
	PoolLimits map[string]string
	// Unmask keeps personal data in messages instead of masking it.
	Unmask bool
	// Faults, when the run controls the pool (`local`), injects the lookup
	// faults of a scenario into it; nil where the pool is Cognito's.
	Faults Faults
}

// unsupported names the first reason the live targets cannot run in.
func (o LiveOptions) unsupported(in *Input) error {
	if f := in.Fake; f != nil {
		switch {
		case f.Fault != "" || f.Latency > 0:
			return fmt.Errorf("%w: lookup faults can only be injected into the fake pool of the inprocess target", ErrCannot)
		case f.Deadline > 0 || f.Budget > 0:
			return fmt.Errorf("%w: the invocation's deadline and the guard's budget are the deployed function's; the inprocess target sets them", ErrCannot)
		case f.PageSize > 0:
			return fmt.Errorf("%w: a real pool's page size cannot be chosen; paging is checked by the inprocess target", ErrCannot)
		case f.Pool != nil || f.DescribeFault != "":
			return fmt.Errorf("%w: a real pool's configuration cannot be changed per scenario; the inprocess target covers it", ErrCannot)
		}
	}
	switch {
	case len(in.Holders) > 0 && o.HoldersUnobservable != "":
		return fmt.Errorf("%w: %s", ErrCannot, o.HoldersUnobservable)
	case len(in.ValueFaults) > 0 && o.Faults == nil:
		return fmt.Errorf("%w: Cognito's own pool cannot be made to throttle or fail one value's lookups; the inprocess target's fake and `local`'s pool inject them", ErrCannot)
	}
	for _, h := range in.Holders {
		if h.Disabled {
			return fmt.Errorf("%w: the live targets create existing users enabled; the inprocess target covers disabled ones", ErrCannot)
		}
	}
	if in.Lookup != "" && in.Lookup != o.Lookup {
		return fmt.Errorf("%w: the trigger under test runs ALIAS_LOOKUP=%s and this scenario needs %s", ErrCannot, o.Lookup, in.Lookup)
	}
	// A scenario that names a policy runs only against a trigger that runs
	// it; one that names none (alias safety holds under any policy) runs
	// against every trigger.
	if in.Policy != "" && in.Policy != o.Policy {
		return fmt.Errorf("%w: the trigger under test runs ALIAS_POLICY=%s and this scenario needs %s", ErrCannot, o.Policy, in.Policy)
	}
	for _, t := range in.Tags {
		if reason, ok := o.Limits[t]; ok {
			return fmt.Errorf("%w: %s", ErrCannot, reason)
		}
	}
	return nil
}

// redact masks the scenario's email addresses and phone numbers in an error,
// unless unmasked output was asked for.
func (o LiveOptions) redact(d *ScenarioData, err error) error {
	if err == nil || o.Unmask {
		return err
	}
	return redacted{d.Redact(err.Error()), err}
}

// redacted is an error's text with the personal data masked, and the error
// it was made from for errors.Is and errors.As.
type redacted struct {
	text string
	err  error
}

func (r redacted) Error() string { return r.text }
func (r redacted) Unwrap() error { return r.err }

// Pool signs users up in a real user pool with SignUp, then reads them back
// with AdminGetUser. It observes the user's status and verified attributes,
// not the trigger's bytes or its lookups.
type Pool struct {
	opts     LiveOptions
	api      *cip.Client
	clientID string
	secret   string
	admin    *admin
	// Trigger is the pool's PreSignUp function, as the pool names it; Code
	// what Lambda says of its code, or why that was not read.
	Trigger, Code string
}

// Implementation implements Describer.
func (p *Pool) Implementation() string {
	t := p.Trigger
	if t == "" {
		t = "not named by the pool"
	}
	s := fmt.Sprintf("the PreSignUp trigger of user pool %s (%s), through SignUp with app client %s", p.opts.PoolID, t, p.clientID)
	if p.Code != "" {
		s += "; its code: " + p.Code
	}
	return s
}

// NewPool returns the pool target. secret may be empty for a client without one.
func NewPool(api *cip.Client, clientID, secret string, opts LiveOptions) *Pool {
	a := newAdmin(api, opts.PoolID, opts.Concurrency)
	if opts.Faults != nil {
		a.faults = newFaultLedger(opts.Faults)
	}
	if opts.Namer != nil {
		opts.Namer.SetTaken(a.phoneTaken)
		a.own = opts.Namer.Prefix()
	}
	return &Pool{opts: opts, api: api, clientID: clientID, secret: secret, admin: a}
}

// Name implements Target.
func (*Pool) Name() string { return "pool" }

// Close stops the run and deletes every user it created.
func (p *Pool) Close(ctx context.Context) (int, error) { return p.admin.Close(ctx) }

// Run implements Target.
func (p *Pool) Run(ctx context.Context, in *Input) (obs *Observation, err error) {
	defer func() { err = unanswered(ctx, "the user pool "+p.opts.PoolID, err) }()
	if err := p.runnable(in); err != nil {
		return nil, err
	}
	if err := p.admin.begin(); err != nil {
		return nil, err
	}
	defer p.admin.end()
	data := p.opts.Namer.ScenarioFor(in.Key)
	defer func() { obs, err = p.admin.readHolders(ctx, in, data, obs, err) }()
	if err := p.admin.seed(ctx, in, data); err != nil {
		return nil, p.opts.redact(data, err)
	}
	if err := p.admin.injectFaults(ctx, in, data); err != nil {
		return nil, p.opts.redact(data, err)
	}
	username := data.Username("new")
	su := p.signUpInput(in, data, username)
	out, elapsed, retried, err := p.signUp(ctx, in, su)
	obs = &Observation{Elapsed: elapsed, SignUp: signUpJSON(su)}
	if err != nil {
		return p.failedSignUp(obs, data, err)
	}
	return p.readBack(ctx, obs, data, username, out.UserConfirmed, retried)
}

// runnable says why the pool target cannot run in, or nil.
func (p *Pool) runnable(in *Input) error {
	if in.Generated || strings.HasPrefix(in.Fixture, "bad/") {
		return fmt.Errorf("%w: a malformed event cannot be produced through SignUp; Cognito builds the event itself", ErrCannot)
	}
	if src := gjson.GetBytes(in.Event, "triggerSource").Str; src != presignup.SourceSignUp {
		return fmt.Errorf("%w: the pool target signs up through the SignUp API, so Cognito always sends PreSignUp_SignUp, never %s", ErrCannot, src)
	}
	if err := p.opts.unsupported(in); err != nil {
		return err
	}
	for _, t := range in.Tags {
		if reason, ok := p.opts.PoolLimits[t]; ok {
			return fmt.Errorf("%w: %s", ErrCannot, reason)
		}
	}
	return nil
}

// signUpInput is the SignUp that stands for in's event, with the
// scenario's values, signed when the client has a secret.
func (p *Pool) signUpInput(in *Input, data *ScenarioData, username string) *cip.SignUpInput {
	su := &cip.SignUpInput{
		ClientId:       aws.String(p.clientID),
		Username:       aws.String(username),
		Password:       aws.String(Password()),
		UserAttributes: signUpAttributes(in.Event, data),
		ValidationData: attributeList(gjson.GetBytes(in.Event, "request.validationData")),
		ClientMetadata: stringMap(gjson.GetBytes(in.Event, "request.clientMetadata")),
	}
	if p.secret != "" {
		su.SecretHash = aws.String(secrethash.Compute(username, p.clientID, p.secret))
	}
	return su
}

// signUp sends su. A SignUp that failed on the server after creating the
// user, and was retried by the SDK, ends in UsernameExistsException. The
// name carries this run's marker, so the user is this run's: it stays
// remembered, for the cleanup, and is read like any other (retried).
func (p *Pool) signUp(ctx context.Context, in *Input, su *cip.SignUpInput) (out *cip.SignUpOutput, elapsed time.Duration, retried bool, err error) {
	release, err := p.admin.slot(ctx)
	if err != nil {
		return nil, 0, false, err
	}
	username := aws.ToString(su.Username)
	p.admin.remember(in, username) // before the call: a timeout may still create it
	start := time.Now()
	out, err = p.api.SignUp(ctx, su)
	elapsed = time.Since(start)
	release()
	if usernameExists(err) && strings.HasPrefix(username, p.opts.Namer.Prefix()) {
		return &cip.SignUpOutput{}, elapsed, true, nil
	}
	if refused(err) {
		p.admin.forget(in, username)
	}
	return out, elapsed, false, err
}

// failedSignUp is what a SignUp that failed observed: the trigger's
// refusal or failure as Cognito reports it, or why the run cannot go on.
func (p *Pool) failedSignUp(obs *Observation, data *ScenarioData, err error) (*Observation, error) {
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		return nil, p.opts.redact(data, fmt.Errorf("SignUp: %w", err))
	}
	if strings.Contains(apiErr.ErrorMessage(), "invocation failed due to error AccessDeniedException") {
		return nil, p.cannotInvoke(apiErr.ErrorMessage())
	}
	switch apiErr.ErrorCode() {
	case "UserLambdaValidationException":
		if answerRefused.MatchString(apiErr.ErrorMessage()) {
			return refusedAtPool(obs, apiErr.ErrorMessage()), nil
		}
		obs.Refused, obs.Message = true, apiErr.ErrorMessage()
		obs.Failure = failureOf("", obs.Message)
		return obs, nil
	case "UnexpectedLambdaException", "UnexpectedLambdaExceptionException":
		// Cognito's word for a trigger that timed out (rules §4);
		// cognito-local doubles "Exception".
		if f := failureOf("", apiErr.ErrorMessage()); f != "" {
			obs.Refused, obs.Message, obs.Failure = true, apiErr.ErrorMessage(), f
			return obs, nil
		}
	case "InvalidLambdaResponseException":
		return unreadableAtPool(obs, apiErr.ErrorMessage()), nil
	case "InvalidParameterException", "InvalidPasswordException":
		return nil, fmt.Errorf("%w: the pool refused the sign-up before the trigger ran (%s: %s)", ErrCannot, apiErr.ErrorCode(), data.Redact(apiErr.ErrorMessage()))
	}
	return nil, p.opts.redact(data, fmt.Errorf("SignUp: %w", err))
}

// readBack reads the new user with AdminGetUser and observes its status
// and verified attributes; SignUp's own word on confirmation must agree,
// unless the SDK retried it (retried).
func (p *Pool) readBack(ctx context.Context, obs *Observation, data *ScenarioData, username string, said, retried bool) (*Observation, error) {
	release, err := p.admin.slot(ctx)
	if err != nil {
		return nil, err
	}
	user, err := p.api.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(p.opts.PoolID), Username: aws.String(username)})
	release()
	if err != nil {
		return nil, p.opts.redact(data, fmt.Errorf("AdminGetUser after SignUp: %w", err))
	}
	confirmed := user.UserStatus == types.UserStatusTypeConfirmed
	if !retried && confirmed != said {
		return nil, fmt.Errorf("SignUp said UserConfirmed=%t but AdminGetUser says %s", said, user.UserStatus)
	}
	verified := func(name string) *bool {
		v := hasValue(user.UserAttributes, name, "true")
		return &v
	}
	obs.Read, _ = json.Marshal(struct {
		Username       *string
		UserStatus     types.UserStatusType
		Enabled        bool
		UserAttributes []types.AttributeType
	}{user.Username, user.UserStatus, user.Enabled, user.UserAttributes})
	obs.Confirmed = &confirmed
	obs.EmailVerified = verified("email_verified")
	obs.PhoneVerified = verified("phone_number_verified")
	return obs, nil
}

// unreadableAtPool is a sign-up the pool failed because it could not read
// the trigger's answer: Cognito says "Unrecognizable lambda output" or
// "Invalid lambda function output : Invalid JSON" (rules §1), cognito-local
// "Invalid Lambda response". The function answered; it did not err.
func unreadableAtPool(obs *Observation, message string) *Observation {
	obs.Refused, obs.Message = true, message
	obs.Unreadable = "the pool could not read the answer: InvalidLambdaResponseException: " + message
	obs.Failure = "Cognito cannot read the answer: Cognito fails the sign-up"
	return obs
}

// cannotInvoke is the setup error of a pool whose trigger refuses it: Cognito
// says "PreSignUp invocation failed due to error AccessDeniedException."
// (rules §24) when the function's resource policy lets no
// cognito-idp.amazonaws.com call lambda:InvokeFunction for this pool.
func (p *Pool) cannotInvoke(message string) error {
	fn := p.Trigger
	if fn == "" {
		fn = "<the trigger>"
	}
	return fmt.Errorf("%w: the pool %s may not invoke its PreSignUp trigger (Cognito says %q): the function's resource-based policy must allow the principal cognito-idp.amazonaws.com the action lambda:InvokeFunction, with the pool's ARN as the source ARN, e.g. `aws lambda add-permission --function-name %s --statement-id cognito-presignup --action lambda:InvokeFunction --principal cognito-idp.amazonaws.com --source-arn arn:aws:cognito-idp:REGION:ACCOUNT:userpool/%s`",
		ErrSetup, p.opts.PoolID, message, fn, p.opts.PoolID)
}

// Cleanup implements Target.
func (p *Pool) Cleanup(ctx context.Context, in *Input) error { return p.admin.cleanup(ctx, in) }

// signUpJSON is the SignUp request for the report, without the password and
// the SecretHash.
func signUpJSON(su *cip.SignUpInput) []byte {
	b, _ := json.Marshal(struct {
		ClientId, Username *string
		UserAttributes     []types.AttributeType
		ValidationData     []types.AttributeType `json:",omitempty"`
		ClientMetadata     map[string]string     `json:",omitempty"`
	}{su.ClientId, su.Username, su.UserAttributes, su.ValidationData, su.ClientMetadata})
	return b
}

// signUpAttributes turns the event's userAttributes into SignUp's list, with
// unique test values. Attributes a client cannot send are left out: sub,
// the *_verified flags and cognito:* names are Cognito's own.
func signUpAttributes(event []byte, data *ScenarioData) []types.AttributeType {
	var out []types.AttributeType
	gjson.GetBytes(event, "request.userAttributes").ForEach(func(k, v gjson.Result) bool {
		name := k.Str
		if v.Type != gjson.String || name == "sub" || strings.HasSuffix(name, "_verified") || strings.HasPrefix(name, "cognito:") {
			return true
		}
		out = append(out, types.AttributeType{Name: aws.String(name), Value: aws.String(data.Value(name, v.Str))})
		return true
	})
	return out
}

func attributeList(r gjson.Result) []types.AttributeType {
	var out []types.AttributeType
	r.ForEach(func(k, v gjson.Result) bool {
		out = append(out, types.AttributeType{Name: aws.String(k.Str), Value: aws.String(v.String())})
		return true
	})
	return out
}

func stringMap(r gjson.Result) map[string]string {
	if !r.IsObject() {
		return nil
	}
	out := map[string]string{}
	r.ForEach(func(k, v gjson.Result) bool { out[k.Str] = v.String(); return true })
	return out
}
