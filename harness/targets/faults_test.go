package targets

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
)

// recordFaults is Faults that remembers what is injected and still on.
type recordFaults struct {
	mu sync.Mutex
	on map[string]FaultRequest
}

func (r *recordFaults) Inject(_ context.Context, f FaultRequest) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	id := f.Value
	r.on[id] = f
	return id, nil
}

func (r *recordFaults) Clear(_ context.Context, id string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.on, id)
	return nil
}

// TestValueFaultsAreScoped: a scenario's lookup faults fall on its own test
// values, never the fixture's, which every scenario shares; its cleanup ends
// them and no one else's; a pool the run does not control cannot take them.
func TestValueFaultsAreScoped(t *testing.T) {
	ctx := context.Background()
	namer, err := NewNamer("r1")
	if err != nil {
		t.Fatal(err)
	}
	rec := &recordFaults{on: map[string]FaultRequest{}}
	a := newAdmin(nil, pool, 1)
	a.faults = newFaultLedger(rec)
	fault := ValueFault{Attr: "email", Value: "sam.taylor@example.com", Fault: FaultThrottle}
	one, two := &Input{ValueFaults: []ValueFault{fault}}, &Input{ValueFaults: []ValueFault{fault}}
	d1, d2 := namer.Scenario(), namer.Scenario()
	for _, s := range []struct {
		in   *Input
		data *ScenarioData
	}{{one, d1}, {two, d2}} {
		if err := a.injectFaults(ctx, s.in, s.data); err != nil {
			t.Fatal(err)
		}
	}
	v1, v2 := d1.Value("email", fault.Value), d2.Value("email", fault.Value)
	if v1 == v2 || v1 == fault.Value {
		t.Fatalf("the scenarios' values are not their own: %q, %q", v1, v2)
	}
	if err := a.cleanup(ctx, one); err != nil {
		t.Fatal(err)
	}
	var on []string
	for v := range rec.on {
		on = append(on, v)
	}
	if !slices.Equal(on, []string{v2}) || rec.on[v2].Fault != FaultThrottle {
		t.Errorf("after the first scenario's cleanup the faults on are %v, want only %q", rec.on, v2)
	}
	if _, err := a.Close(ctx); err != nil || len(rec.on) != 0 {
		t.Errorf("Close left faults on: %v (%v)", rec.on, err)
	}
	o := LiveOptions{Policy: "skip-verify", Lookup: "admin-get-user"}
	if err := o.unsupported(one); !errors.Is(err, ErrCannot) {
		t.Errorf("Cognito's own pool was asked to take a lookup fault: %v", err)
	}
	o.Faults = rec
	if err := o.unsupported(one); err != nil {
		t.Errorf("a pool the run controls refused a lookup fault: %v", err)
	}
}
