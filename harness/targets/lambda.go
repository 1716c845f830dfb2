package targets

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/tidwall/gjson"

	"github.com/autoconfirm/autoconfirm/handler"
	"github.com/autoconfirm/autoconfirm/presignup"
)

// Lambda sends the scenario's event to a deployed function with the Lambda
// Invoke API. It observes the returned bytes, or the function error, but not
// the lookups the function makes. With a pool id it seeds existing users there
// and points the event at that pool, so the function's guard sees them.
type Lambda struct {
	opts     LiveOptions
	api      *lambda.Client
	function string
	admin    *admin       // nil without a pool
	version  atomic.Value // the version Lambda said it ran
	// Code is what Lambda says of the function's code, for the report.
	Code string
}

// Implementation implements Describer.
func (t *Lambda) Implementation() string {
	v, _ := t.version.Load().(string)
	if v == "" {
		v = "not known: no invocation answered"
	}
	if t.Code != "" {
		return fmt.Sprintf("Lambda function %s (%s); the version that answered: %s", t.function, t.Code, v)
	}
	return fmt.Sprintf("Lambda function %s, version %s", t.function, v)
}

// NewLambda returns the lambda target for a function name or ARN. cognito may
// be nil when no pool is given.
func NewLambda(api *lambda.Client, function string, cognito *cip.Client, opts LiveOptions) *Lambda {
	t := &Lambda{opts: opts, api: api, function: function}
	if cognito != nil && opts.PoolID != "" {
		t.admin = newAdmin(cognito, opts.PoolID, opts.Concurrency)
		if opts.Faults != nil {
			t.admin.faults = newFaultLedger(opts.Faults)
		}
		if opts.Namer != nil {
			opts.Namer.SetTaken(t.admin.phoneTaken)
			t.admin.own = opts.Namer.Prefix()
		}
	}
	return t
}

// Name implements Target.
func (*Lambda) Name() string { return "lambda" }

// Close stops the run and deletes every user it created.
func (t *Lambda) Close(ctx context.Context) (int, error) {
	if t.admin == nil {
		return 0, nil
	}
	return t.admin.Close(ctx)
}

// Run implements Target.
func (t *Lambda) Run(ctx context.Context, in *Input) (obs *Observation, err error) {
	defer func() { err = unanswered(ctx, "the function "+t.function+" or its user pool", err) }()
	if err := t.opts.unsupported(in); err != nil {
		return nil, err
	}
	if !json.Valid(in.Event) || !utf8.Valid(in.Event) {
		return nil, fmt.Errorf("%w: Lambda refuses a payload that is not valid UTF-8 JSON before the function runs, so the function never sees it; the inprocess target and make rie-check cover it", ErrCannot)
	}
	event := in.Event
	if t.admin != nil {
		if err := t.admin.begin(); err != nil {
			return nil, err
		}
		defer t.admin.end()
		data := t.opts.Namer.ScenarioFor(in.Key)
		defer func() { obs, err = t.admin.readHolders(ctx, in, data, obs, err) }()
		event = pointAt(event, t.opts, data)
		if err := t.admin.seed(ctx, in, data); err != nil {
			return nil, t.opts.redact(data, err)
		}
		if err := t.admin.injectFaults(ctx, in, data); err != nil {
			return nil, t.opts.redact(data, err)
		}
	} else if len(in.Holders) > 0 || len(in.ValueFaults) > 0 || t.opts.Policy != handler.PolicyAllow {
		return nil, fmt.Errorf("%w: the function looks its pool up, so the lambda target needs --pool-id to point the event at a real pool", ErrCannot)
	}
	start := time.Now()
	out, err := t.api.Invoke(ctx, &lambda.InvokeInput{
		FunctionName:   aws.String(t.function),
		InvocationType: ltypes.InvocationTypeRequestResponse,
		Payload:        event,
	})
	obs = &Observation{Elapsed: time.Since(start)}
	if err != nil {
		return nil, fmt.Errorf("invoking %s: %w", t.function, err)
	}
	if v := aws.ToString(out.ExecutedVersion); v != "" {
		t.version.Store(v)
	}
	if !sameBytes(event, in.Event) {
		obs.Sent = event
	}
	if out.FunctionError != nil {
		var body struct {
			ErrorMessage string `json:"errorMessage"`
			ErrorType    string `json:"errorType"`
		}
		if err := json.Unmarshal(out.Payload, &body); err != nil || body.ErrorMessage == "" {
			return nil, fmt.Errorf("%s returned X-Amz-Function-Error %q with a body that is not an error object: %.200s", t.function, aws.ToString(out.FunctionError), out.Payload)
		}
		obs.Refused, obs.Message, obs.ErrorType = true, body.ErrorMessage, body.ErrorType
		obs.Panicked = GoPanic(out.Payload)
		obs.Failure = failureOf(body.ErrorType, body.ErrorMessage)
		return obs, nil
	}
	obs.Response = out.Payload
	obs.readAnswer(event)
	return obs, nil
}

// Cleanup implements Target.
func (t *Lambda) Cleanup(ctx context.Context, in *Input) error {
	if t.admin == nil {
		return nil
	}
	return t.admin.cleanup(ctx, in)
}

func sameBytes(a, b []byte) bool { return string(a) == string(b) }

// pointAt rewrites what Cognito would fill in from the pool: the event's
// userPoolId, region and app client, and its email and phone values, and
// nothing else, by splicing new JSON strings over the old ones. A clientId
// of CLIENT_ID_NOT_APPLICABLE (AdminCreateUser) stays.
func pointAt(event []byte, o LiveOptions, data *ScenarioData) []byte {
	type edit struct {
		at, n int
		raw   string
	}
	var edits []edit
	set := func(path, value string) {
		r := gjson.GetBytes(event, path)
		if value == "" || r.Type != gjson.String || r.Index <= 0 {
			return
		}
		b, _ := json.Marshal(value)
		edits = append(edits, edit{r.Index, len(r.Raw), string(b)})
	}
	set("userPoolId", o.PoolID)
	set("region", o.Region)
	if gjson.GetBytes(event, "callerContext.clientId").Str != ClientNotApplicable {
		set("callerContext.clientId", o.ClientID)
	}
	for _, attr := range []string{presignup.AttrEmail, presignup.AttrPhone} {
		if r := gjson.GetBytes(event, "request.userAttributes."+attr); r.Type == gjson.String {
			set("request.userAttributes."+attr, data.Value(attr, r.Str))
		}
	}
	sort.Slice(edits, func(i, j int) bool { return edits[i].at > edits[j].at })
	out := append([]byte(nil), event...)
	for _, e := range edits {
		out = append(out[:e.at], append([]byte(e.raw), out[e.at+e.n:]...)...)
	}
	return out
}

// ClientNotApplicable is the clientId of an event no app client sent:
// AdminCreateUser's (rules §21).
const ClientNotApplicable = "CLIENT_ID_NOT_APPLICABLE"
