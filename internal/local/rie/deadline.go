package rie

import (
	"errors"
	"fmt"
	"time"
)

// InitLimit is how long Lambda lets an on-demand function's Init phase run
// on its own, apart from the function's timeout (rules §13).
const InitLimit = 10 * time.Second

// emulatorTimeout is the timeout the emulator is given: it counts from the
// invoke, init included, so it must outlast the limits exchange applies.
func emulatorTimeout(cfg Config) time.Duration {
	return cfg.initLimit + cfg.Timeout + time.Second
}

// exchange sends one event to an environment and holds the function to
// Lambda's limits: the runtime's init (which the emulator starts with the
// invocation) to InitLimit, and the handler to the function's timeout from
// the moment the runtime took the event. An init past its limit is run
// again by Lambda within the invocation, under the function's timeout; here
// it runs on, and the invocation times out at the later of the two limits.
func (p *Proc) exchange(in *instance, payload []byte) reply {
	start := time.Now()
	taken := in.api.expect(p.cfg.Timeout)
	out := make(chan reply, 1)
	go func() { out <- in.send(payload) }()
	initLimit := time.NewTimer(p.cfg.initLimit)
	defer initLimit.Stop()
	var deadline time.Time
	select {
	case r := <-out:
		return r
	case at := <-taken:
		deadline = at.Add(p.cfg.Timeout)
	case <-initLimit.C:
		fmt.Fprintf(p.cfg.Logs, "INIT_REPORT Init Duration: %.2f ms\tPhase: init\tStatus: timeout\n", float64(p.cfg.initLimit.Milliseconds()))
		deadline = start.Add(max(p.cfg.Timeout, p.cfg.initLimit))
	}
	limit := time.NewTimer(time.Until(deadline))
	defer limit.Stop()
	select {
	case r := <-out:
		return r
	case <-limit.C:
		return reply{err: errTimedOut}
	}
}

// errTimedOut is exchange's reply when the function ran past its timeout.
var errTimedOut = errors.New("the function ran past its timeout")

// retire ends an environment whose function ran past its timeout, as Lambda
// resets it; the stop runs apart so that the timeout is answered at once,
// and Stop waits for it.
func (p *Proc) retire(in *instance) {
	p.mu.Lock()
	delete(p.live, in)
	closed := p.closed
	if !closed { // so that the Add comes before Stop's Wait
		p.retiring.Add(1)
	}
	p.mu.Unlock()
	if closed {
		in.stop()
		return
	}
	go func() {
		defer p.retiring.Done()
		in.stop()
	}()
}
