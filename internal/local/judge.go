package local

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/autoconfirm/autoconfirm/harness/conformance"
	"github.com/autoconfirm/autoconfirm/harness/targets"
	"github.com/autoconfirm/autoconfirm/harness/targets/open"
	"github.com/autoconfirm/autoconfirm/internal/local/stack"
)

// depth is one depth's run: its target, exit status and record.
type depth struct {
	name   string
	status int
	record *conformance.Record
}

// judge runs the scenarios in this process against the pool and lambda
// targets at once, each depth's output held and printed whole, pool first;
// combines their reports into one page; and returns each depth's run. An
// emulator that crashes ends the run as a setup error; a page that cannot
// be written too. The verdict comes later (conclude), once the run is over.
func (r *run) judge(ctx context.Context, st *stack.Stack) ([]depth, int, error) {
	// A crash, or a depth's setup error, ends both depths: the run reaches
	// no verdict, and the other depth would only wait on what is gone.
	depthCtx, stop := context.WithCancel(ctx)
	defer stop()
	go func() {
		select {
		case <-st.Crashed():
			stop()
		case <-depthCtx.Done():
		}
	}()
	names := []string{"pool", "lambda"}
	ran := make([]*ranDepth, len(names))
	namer, err := targets.NewNamer("")
	if err != nil {
		return nil, conformance.ExitUsage, err
	}
	namer.KeepShape() // the local pool texts and mails no one
	var once onceLines
	var wg sync.WaitGroup
	for i, target := range names {
		if i > 0 { // beside the first: the depths share the pool, not values
			if namer, err = namer.Beside(); err != nil {
				return nil, conformance.ExitUsage, err
			}
		}
		r.say("running the scenarios against the %s target", target)
		rd := &ranDepth{}
		ran[i] = rd
		wg.Go(func() {
			rd.d, rd.err = r.runDepth(depthCtx, st, target, namer, &once, &rd.out, &rd.errs)
			rd.d.name = target
			if rd.err != nil || rd.d.status == conformance.ExitUsage {
				stop()
			}
		})
	}
	wg.Wait()
	for _, rd := range ran {
		r.stdout.Write(rd.out.Bytes())
		r.stderr.Write(rd.errs.Bytes())
	}
	once.flush(r.stdout)
	return r.judged(ctx, st, ran)
}

// ranDepth is a depth's run, its output held until both have ended.
type ranDepth struct {
	d         depth
	err       error
	out, errs lockedBuffer
}

// judged checks the depths' runs in order, and combines their pages.
func (r *run) judged(ctx context.Context, st *stack.Stack, ran []*ranDepth) ([]depth, int, error) {
	if cerr := st.Err(); cerr != nil {
		return nil, conformance.ExitUsage, fmt.Errorf("the run stopped: %w", cerr)
	}
	if ctx.Err() != nil {
		fmt.Fprintln(r.stderr, "local: interrupted; the stack is stopped and the run did not pass")
		return nil, conformance.ExitInterrupted, nil
	}
	for _, rd := range ran { // a setup error, which ended the other depth too
		if rd.err != nil {
			return nil, conformance.ExitUsage, fmt.Errorf("running the %s target: %w", rd.d.name, rd.err)
		}
		if rd.d.status == conformance.ExitUsage {
			r.say("%s target: exit %d", rd.d.name, rd.d.status)
			return nil, conformance.ExitUsage, nil
		}
	}
	var depths []depth
	var dirs []string
	for _, rd := range ran {
		d := rd.d
		if d.status != conformance.ExitPass || r.o.Verbose {
			r.say("%s target: exit %d", d.name, d.status)
		}
		if d.record == nil {
			return nil, conformance.ExitUsage, fmt.Errorf("the %s target recorded no verdict", d.name)
		}
		depths = append(depths, d)
		dirs = append(dirs, r.depthDir(d.name))
	}
	combined := filepath.Join(r.o.ReportDir, conformance.HTMLFile)
	if err := conformance.Combine(combined, dirs...); err != nil {
		return nil, conformance.ExitUsage, fmt.Errorf("the combined report %s could not be written: %w", combined, err)
	}
	return depths, conformance.ExitPass, nil
}

// lockedBuffer is a buffer that several goroutines write.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// Bytes is what was written.
func (b *lockedBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Bytes()
}

func (r *run) depthDir(target string) string { return filepath.Join(r.o.ReportDir, target) }

// runDepth runs the scenarios against one target of the stack, opened as a
// run after a deploy would open it: it proves that the pool calls the
// hosted function, and that it runs the code named here. An error is a
// setup error.
func (r *run) runDepth(ctx context.Context, st *stack.Stack, target string, namer *targets.Namer, once *onceLines, stdout, stderr io.Writer) (depth, error) {
	profiles, err := conformance.ParseProfiles(r.o.Profile)
	if err != nil {
		return depth{}, err
	}
	out := stdout
	if !r.o.Verbose {
		filtered := newTargetOutput(stdout, target, once)
		defer filtered.Close()
		out = filtered
	}
	opened, err := open.Target(ctx, r.depthSpec(st, target, namer), func(s string) { fmt.Fprintln(out, "autoconfirm-conformance: "+s) })
	if err != nil {
		return depth{}, err
	}
	fmt.Fprintf(out, "autoconfirm conformance: target %s, profiles %s\n", target, strings.Join(profiles, ","))
	shape := r.shape()
	res := conformance.Run(ctx, conformance.Options{
		Target: opened.Target, Content: r.o.Content, Format: "progress", Tags: r.o.Tags, Profiles: profiles,
		Features: r.o.Features, Fixtures: r.o.Fixtures, Concurrency: 4, NoColors: true, Implementation: r.impl,
		Output: out, Errors: stderr, ReportDir: r.depthDir(target), Brief: true, Shape: &shape,
		DefaultClaim: r.o.DefaultClaim, TempDir: r.work,
	})
	if ctx.Err() == nil && res.Status != conformance.ExitUsage {
		r.endDepth(ctx, opened, stderr)
	}
	return depth{name: target, status: res.Status, record: res.Record}, nil
}

// depthSpec is one depth's target: the local stack's, reached through its
// endpoints alone, with its client's secret and its fault control.
func (r *run) depthSpec(st *stack.Stack, target string, namer *targets.Namer) open.Spec {
	spec := open.Spec{Target: target, PoolID: st.PoolID, ClientID: st.ClientID, Secret: st.Secret,
		Policy: r.o.Policy, Lookup: r.o.Lookup, Emulator: "autoconfirm-local", Namer: namer, FaultsURL: st.FaultsURL,
		ExpectFunction: stack.FunctionARN, ExpectCode: r.codeRoot,
		Access: func(context.Context) (open.Access, error) {
			return open.Local(stack.Region, st.CognitoURL, st.GatewayURL)
		}}
	if target == "lambda" {
		spec.Function = stack.FunctionName
	}
	return spec
}

// endDepth deletes the users a depth's scenarios left, those a call that
// timed out made after its scenario's cleanup, so that the run's count of
// users left is the handler's doing. A depth that was interrupted or
// stopped by a setup error has no count: the local pool ends with the run.
func (r *run) endDepth(ctx context.Context, opened open.Opened, stderr io.Writer) {
	if opened.Close == nil {
		return
	}
	cctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if n, err := opened.Close(cctx); err != nil {
		fmt.Fprintf(stderr, "local: deleting the test users deleted %d, then failed: %v\n", n, err)
	}
}

// ending is what the end of a run asks the stack: the users left in the
// pool, and what the handler answered.
type ending interface {
	// Users counts the pool's users: the run's test users still there,
	// and those no run named, which the handler made itself.
	Users(ctx context.Context) (test, other int, err error)
	Stats() string
}

// conclude judges the depths, checks that the run left the pool as it
// found it (summarize), and only then records run.json with the run's final
// status: the Action's summary is written from it.
func (r *run) conclude(ctx context.Context, depths []depth, end ending) (int, error) {
	d, status := r.verdict(depths)
	status, notes := r.summarize(ctx, end, status)
	d.Notes = append(d.Notes, notes...)
	if err := conformance.WriteDepths(r.o.ReportDir, d, status); err != nil {
		return conformance.ExitUsage, fmt.Errorf("recording the verdict: %w", err)
	}
	return status, nil
}

// verdict prints one verdict table and one failure list for both depths,
// and returns them with the run's status so far (conformance judges them).
func (r *run) verdict(depths []depth) (conformance.Depths, int) {
	var names []string
	var recs []conformance.Record
	statuses := map[string]int{}
	for _, dp := range depths {
		names, recs = append(names, dp.name), append(recs, *dp.record)
		statuses[dp.name] = dp.status
	}
	d := conformance.JudgeDepths("local", names, recs)
	d.Sandbox = r.sandboxState()
	d.Language = r.language()
	status := d.Judge(statuses)
	r.printVerdict(d, status)
	if !d.Judged() {
		fmt.Fprintln(r.stderr, "local: no profile could be judged at either depth, so the run did not pass")
	}
	return d, status
}

// language is the handler's, for the examples its failures link to: the
// runtime's, and TypeScript for a Node.js handler whose module is a .ts
// file (which the runtime bundles) and not a JavaScript one.
func (r *run) language() conformance.Language {
	handler := r.o.Handler
	if handler == "" {
		handler = r.o.Runtime.DefaultHandler()
	}
	module := handler
	if i := strings.LastIndex(handler, "."); i > 0 {
		module = handler[:i]
	}
	ts := false
	for _, ext := range []string{".ts", ".mts", ".cts", ".tsx"} {
		if _, err := os.Stat(filepath.Join(r.o.Code, module+ext)); err == nil {
			ts = true
		}
	}
	for _, ext := range []string{".js", ".mjs", ".cjs"} {
		if _, err := os.Stat(filepath.Join(r.o.Code, module+ext)); err == nil {
			ts = false
		}
	}
	return conformance.LanguageOf(r.o.Runtime.Name, ts)
}

// printVerdict writes the verdict: a passing run's in a few lines, a
// failing run's whole; --verbose writes it whole either way. The sandbox was
// said at the start, and is said again only under --verbose.
func (r *run) printVerdict(d conformance.Depths, status int) {
	switch {
	case r.o.Verbose:
		d.Print(r.stdout)
	case status == conformance.ExitPass && len(d.Failures) == 0:
		d.PrintPassed(r.stdout)
	default:
		d.Sandbox = ""
		d.Print(r.stdout)
	}
}
