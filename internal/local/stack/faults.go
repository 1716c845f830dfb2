package stack

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/autoconfirm/autoconfirm/harness/cognitofake"
	"github.com/autoconfirm/autoconfirm/harness/targets"
)

// faultSet holds the lookup faults a run injected into the local pool, each
// on one scenario's own values, so that the scenarios running beside it never
// meet it. The resolver applies them to the trigger's lookups; the runner
// sets and clears them through a control endpoint on a port of its own, which
// no Cognito operation reaches.
type faultSet struct {
	mu     sync.Mutex
	next   int
	faults map[string]targets.FaultRequest
}

func newFaultSet() *faultSet { return &faultSet{faults: map[string]targets.FaultRequest{}} }

func (f *faultSet) add(r targets.FaultRequest) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.next++
	id := strconv.Itoa(f.next)
	f.faults[id] = r
	return id
}

func (f *faultSet) remove(id string) {
	f.mu.Lock()
	delete(f.faults, id)
	f.mu.Unlock()
}

// of returns the fault on the value a lookup asks about, if any.
func (f *faultSet) of(op string, body []byte) (targets.FaultRequest, bool) {
	c := cognitofake.CallOf(op, body)
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range f.faults {
		if c.Asks(r.Value) {
			return r, true
		}
	}
	return targets.FaultRequest{}, false
}

// inject applies the fault on the value the lookup asks about, and reports
// whether it answered: an error as Cognito sends it, after the fault's
// delay. A late answer only waits, and the lookup then goes on as usual.
func (f *faultSet) inject(w http.ResponseWriter, r *http.Request, op string, body []byte) bool {
	if f == nil {
		return false
	}
	fault, ok := f.of(op, body)
	if !ok {
		return false
	}
	if fault.Delay > 0 {
		t := time.NewTimer(fault.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return true // the caller gave up; nobody reads an answer
		}
	}
	if fault.Fault == targets.FaultLate {
		return false
	}
	if !cognitofake.WriteFault(w, cognitofake.Fault(fault.Fault)) {
		http.Error(w, "the local pool cannot inject the fault "+string(fault.Fault), http.StatusInternalServerError)
	}
	return true
}

// injectable are the faults the control takes: those Cognito itself sends
// under load or failure (docs/cognito-rules.md, the section on lookup faults).
var injectable = map[targets.Fault]bool{targets.FaultThrottle: true, targets.FaultServerError: true, targets.FaultLate: true}

// ServeHTTP is the control: POST a targets.FaultRequest to start a fault,
// DELETE ?id= to end it.
func (f *faultSet) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodPost:
		var req targets.FaultRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Value == "" || !injectable[req.Fault] {
			http.Error(w, "send {\"Value\": a value, \"Fault\": throttled, internal-error or late, \"Delay\": nanoseconds}", http.StatusBadRequest)
			return
		}
		json.NewEncoder(w).Encode(map[string]string{"ID": f.add(req)})
	case http.MethodDelete:
		f.remove(r.URL.Query().Get("id"))
	default:
		http.Error(w, "POST a fault or DELETE ?id=", http.StatusMethodNotAllowed)
	}
}

// startFaults serves the fault control on a loopback port of its own, under
// a random path, and sets FaultsURL.
func (s *Stack) startFaults(_ context.Context, f *faultSet) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	secret := make([]byte, 16)
	if _, err := rand.Read(secret); err != nil {
		ln.Close()
		return fmt.Errorf("choosing the fault control's path: %w", err)
	}
	path := "/" + hex.EncodeToString(secret) + "/faults"
	mux := http.NewServeMux()
	mux.Handle(path, f)
	s.faultControl = &http.Server{Handler: mux}
	go s.faultControl.Serve(ln)
	s.FaultsURL = fmt.Sprintf("http://%s%s", ln.Addr(), path)
	return nil
}
