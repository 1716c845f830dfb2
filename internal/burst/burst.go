// Package burst drives sign-ups at a fixed rate through emulated Lambda
// instances against a Cognito fake that enforces the default quotas, and
// counts what the alias guard decided. It measures how many sign-ups each
// lookup mode can verify, never whether it verified a conflict: that must be
// zero at any rate.
package burst

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/tidwall/gjson"

	"github.com/autoconfirm/autoconfirm/harness/cognitofake"
)

// Instance is one emulated Lambda execution environment. It serves one
// invocation at a time.
type Instance interface {
	// Invoke returns the event the function answered, or its refusal.
	Invoke(ctx context.Context, payload []byte) ([]byte, error)
	Close()
}

// Config is one burst.
type Config struct {
	// Rate is the sign-ups per second, evenly spaced, for Duration.
	Rate     int
	Duration time.Duration
	// Aliases are the pool's alias attributes: email, or email and
	// phone_number. Every sign-up carries both values.
	Aliases []string
	// ConflictEvery makes every n-th sign-up use an email address that another
	// user holds verified; 0 means none.
	ConflictEvery int
	// MaxInstances bounds the instances started on demand, as Lambda's
	// concurrency does; a sign-up that finds them all busy waits.
	MaxInstances int
	// Timeout is the function's timeout: the invocation's deadline.
	Timeout time.Duration
	// NewInstance starts an instance whose Cognito endpoint is the fake.
	NewInstance func(ctx context.Context, endpoint string) (Instance, error)
	// Latency delays every answer of the fake, as a real API round trip would.
	Latency time.Duration
	// Progress, if set, is told once a second how far the burst is.
	Progress func(string)
}

// Result counts the outcomes.
type Result struct {
	SignUps, Clean, CleanVerified, Conflicts, ConflictsVerified, Refused int
	// Slow counts sign-ups answered after CognitoWait, arrival to answer.
	Slow      int
	P50, P99  time.Duration
	Instances int
	Throttled int // calls the fake answered with TooManyRequestsException
	Calls     int
}

// CleanShare is the share of clean sign-ups with every value verified.
func (r Result) CleanShare() float64 {
	if r.Clean == 0 {
		return 0
	}
	return float64(r.CleanVerified) / float64(r.Clean)
}

// CognitoWait is how long Cognito waits for the trigger (rules §4).
const CognitoWait = 5 * time.Second

// PoolID is the pool the events name.
const PoolID = "us-east-1_Burst01"

// Run runs one burst.
func Run(ctx context.Context, cfg Config) (Result, error) {
	if cfg.Rate < 1 || cfg.Duration <= 0 || cfg.MaxInstances < 1 || cfg.NewInstance == nil {
		return Result{}, errors.New("burst: Rate, Duration, MaxInstances and NewInstance are required")
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = CognitoWait
	}
	total := int(float64(cfg.Rate) * cfg.Duration.Seconds())
	fake := seededPool(cfg, total)
	defer fake.Close()
	d := &driver{cfg: cfg, fake: fake, idle: make(chan Instance, cfg.MaxInstances)}
	defer d.closeInstances()
	if err := d.send(ctx, total); err != nil {
		d.wg.Wait()
		return d.res, err
	}
	return d.result(), nil
}

// seededPool is the fake pool of a burst of total sign-ups, holding one
// verified user for each conflict the burst sends.
func seededPool(cfg Config, total int) *cognitofake.Server {
	fake := cognitofake.New()
	fake.CreatePool(PoolID, cognitofake.PoolConfig{AliasAttributes: cfg.Aliases})
	fake.SetLatency(cfg.Latency)
	holders := 0
	if cfg.ConflictEvery > 0 {
		holders = total/cfg.ConflictEvery + 1
	}
	for i := range holders {
		fake.Seed(PoolID, cognitofake.User{Username: fmt.Sprintf("holder-%d", i), Enabled: true, Attributes: []cognitofake.Attribute{
			{Name: "sub", Value: fmt.Sprintf("sub-holder-%d", i)},
			{Name: "email", Value: fmt.Sprintf("holder%d@example.com", i)}, {Name: "email_verified", Value: "true"}}})
	}
	return fake
}

// driver sends one burst's sign-ups through its instances.
type driver struct {
	cfg     Config
	fake    *cognitofake.Server
	idle    chan Instance
	started int
	wg      sync.WaitGroup

	mu        sync.Mutex
	res       Result
	durations []time.Duration
}

// closeInstances waits for every sign-up, then ends every instance.
func (d *driver) closeInstances() {
	d.wg.Wait()
	close(d.idle)
	for in := range d.idle {
		in.Close()
	}
}

// acquire returns an idle instance, starts one if the limit allows, or
// waits for one to come free.
func (d *driver) acquire(ctx context.Context) (Instance, error) {
	select {
	case in := <-d.idle:
		return in, nil
	default:
	}
	if d.started < d.cfg.MaxInstances {
		d.started++
		return d.cfg.NewInstance(ctx, d.fake.URL)
	}
	select {
	case in := <-d.idle:
		return in, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// send sends total sign-ups at the burst's rate, each when it arrives.
func (d *driver) send(ctx context.Context, total int) error {
	cfg := d.cfg
	interval := time.Second / time.Duration(cfg.Rate)
	begin := time.Now()
	lastReport := begin
	for i := range total {
		arrival := begin.Add(time.Duration(i) * interval)
		if w := time.Until(arrival); w > 0 {
			select {
			case <-time.After(w):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		conflict := cfg.ConflictEvery > 0 && i%cfg.ConflictEvery == 0
		email := fmt.Sprintf("new%d@example.com", i)
		if conflict {
			email = fmt.Sprintf("holder%d@example.com", i/cfg.ConflictEvery)
		}
		in, err := d.acquire(ctx)
		if err != nil {
			d.wg.Wait()
			return fmt.Errorf("starting an instance: %w", err)
		}
		d.wg.Add(1)
		go d.signUp(ctx, in, event(i, email, fmt.Sprintf("+1555%07d", i)), arrival, conflict)
		if cfg.Progress != nil && time.Since(lastReport) >= time.Second {
			lastReport = time.Now()
			cfg.Progress(fmt.Sprintf("%d of %d sign-ups sent, %d instances", i+1, total, d.started))
		}
	}
	d.wg.Wait()
	return nil
}

// signUp sends one sign-up through in, gives in back, and counts what
// became of it.
func (d *driver) signUp(ctx context.Context, in Instance, payload []byte, arrival time.Time, conflict bool) {
	defer d.wg.Done()
	ictx, cancel := context.WithTimeout(ctx, d.cfg.Timeout)
	out, err := in.Invoke(ictx, payload)
	cancel()
	took := time.Since(arrival)
	d.idle <- in
	d.mu.Lock()
	defer d.mu.Unlock()
	res := &d.res
	res.SignUps++
	d.durations = append(d.durations, took)
	if took > CognitoWait {
		res.Slow++
	}
	r := gjson.GetBytes(out, "response")
	verifiedEmail, verifiedPhone := r.Get("autoVerifyEmail").Bool(), r.Get("autoVerifyPhone").Bool()
	switch {
	case err != nil:
		res.Refused++
	case conflict:
		res.Conflicts++
		if verifiedEmail {
			res.ConflictsVerified++
		}
	default:
		res.Clean++
		if verifiedEmail && verifiedPhone {
			res.CleanVerified++
		}
	}
}

// result is the burst's result once every sign-up has ended.
func (d *driver) result() Result {
	res := d.res
	slices.Sort(d.durations)
	if n := len(d.durations); n > 0 {
		res.P50 = d.durations[n/2]
		res.P99 = d.durations[min(n-1, n*99/100)]
	}
	res.Instances = d.started
	for _, c := range d.fake.Calls() {
		if c.Op != cognitofake.OpDescribeUserPool {
			res.Calls++
		}
	}
	res.Throttled = d.fake.Throttled()
	return res
}

func event(i int, email, phone string) []byte {
	return fmt.Appendf(nil, `{"version":"1","triggerSource":"PreSignUp_SignUp","region":"us-east-1","userPoolId":%q,"userName":"burst-user-%d",`+
		`"callerContext":{"awsSdkVersion":"aws-sdk-js-3.600.0","clientId":"1example23456789abcdefghij"},`+
		`"request":{"userAttributes":{"email":%q,"phone_number":%q},"validationData":null},"response":{}}`, PoolID, i, email, phone)
}
