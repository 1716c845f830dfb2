package targets

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// FaultsVariable names the environment variable in which `local` hands its
// children the URL of the local pool's fault control: the live targets
// inject a scenario's lookup faults there.
const FaultsVariable = "AUTOCONFIRM_LOCAL_FAULTS"

// FaultRequest is one fault as the fault control takes it: every lookup of
// Value (in any letter case) gets Fault, or, for FaultLate, its right answer
// after Delay.
type FaultRequest struct {
	Value string
	Fault Fault
	Delay time.Duration
}

// Faults injects lookup faults into a pool this run controls.
type Faults interface {
	// Inject starts the fault and returns an id that Clear ends it with.
	Inject(ctx context.Context, r FaultRequest) (string, error)
	Clear(ctx context.Context, id string) error
}

// FaultClient is Faults over HTTP, for the pool `local` runs.
type FaultClient struct {
	url    string
	client *http.Client
}

// NewFaultClient returns a client of the fault control at url.
func NewFaultClient(url string) *FaultClient {
	return &FaultClient{url: url, client: &http.Client{Timeout: 10 * time.Second}}
}

// Inject implements Faults.
func (c *FaultClient) Inject(ctx context.Context, r FaultRequest) (string, error) {
	b, _ := json.Marshal(r)
	var out struct{ ID string }
	if err := c.do(ctx, http.MethodPost, c.url, b, &out); err != nil {
		return "", fmt.Errorf("injecting a %s fault into the local pool: %w", r.Fault, err)
	}
	return out.ID, nil
}

// Clear implements Faults.
func (c *FaultClient) Clear(ctx context.Context, id string) error {
	if err := c.do(ctx, http.MethodDelete, c.url+"?id="+url.QueryEscape(id), nil, nil); err != nil {
		return fmt.Errorf("clearing a fault of the local pool: %w", err)
	}
	return nil
}

func (c *FaultClient) do(ctx context.Context, method, u string, body []byte, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return err
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("the fault control answered %s: %s", resp.Status, b)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

// faultLedger remembers the faults injected for each scenario, so that its
// cleanup ends them and no other scenario ever meets them.
type faultLedger struct {
	faults Faults
	mu     sync.Mutex
	ids    map[*Input][]string
}

func newFaultLedger(f Faults) *faultLedger {
	return &faultLedger{faults: f, ids: map[*Input][]string{}}
}

// inject starts in's faults on the scenario's own test values.
func (l *faultLedger) inject(ctx context.Context, in *Input, data *ScenarioData) error {
	for _, f := range in.ValueFaults {
		id, err := l.faults.Inject(ctx, FaultRequest{Value: data.Value(f.Attr, f.Value), Fault: f.Fault, Delay: f.Delay})
		if err != nil {
			return err
		}
		l.mu.Lock()
		l.ids[in] = append(l.ids[in], id)
		l.mu.Unlock()
	}
	return nil
}

// clear ends in's faults; a nil in ends every fault left.
func (l *faultLedger) clear(ctx context.Context, in *Input) error {
	l.mu.Lock()
	var ids []string
	for k, v := range l.ids {
		if in == nil || k == in {
			ids = append(ids, v...)
			delete(l.ids, k)
		}
	}
	l.mu.Unlock()
	var errs []error
	for _, id := range ids {
		errs = append(errs, l.faults.Clear(ctx, id))
	}
	return errors.Join(errs...)
}
