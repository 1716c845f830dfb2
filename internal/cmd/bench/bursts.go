package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/autoconfirm/autoconfirm/handler"
	"github.com/autoconfirm/autoconfirm/internal/burst"
	"github.com/autoconfirm/autoconfirm/internal/local/rie"
)

// burstLatency stands in for a Cognito API round trip from Lambda in the same
// Region; the fake answers every call after it.
const burstLatency = 20 * time.Millisecond

// bursts runs sign-ups at several rates through instances started on demand,
// against the quota-enforcing fake, in each lookup mode, with one and two
// alias attributes, then the default dist/bootstrap at 50/s under the emulator.
func bursts(ctx context.Context, bootstrap string, d time.Duration) error {
	fmt.Printf("\n## 7. Bursts against Cognito's default quotas\n\n")
	fmt.Printf("Sign-ups evenly spaced for %s, each with an email address and a phone number; every 10th uses an email address another user holds verified. ", d)
	fmt.Printf("Instances (handlers with their own SDK client, at most 100) start on demand, as Lambda's do, and serve one sign-up at a time. ")
	fmt.Printf("The fake answers every call after %s and enforces UserRead 120/s, UserList 30/s and 10 reads/s per user, answering TooManyRequestsException; the SDK retries as configured (3 attempts, backoff ≤ 200 ms). ", burstLatency)
	fmt.Printf("Time is from the sign-up's planned arrival to its answer, queueing included.\n\n")
	fmt.Println("| handler | ALIAS_LOOKUP | pool's aliases | sign-ups/s | clean sign-ups fully verified | conflicts verified | over 5 s | p50 | p99 | instances | calls throttled |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|---|")
	type run struct {
		what    string
		mode    handler.LookupMode
		aliases []string
		rate    int
		start   func(context.Context, string) (burst.Instance, error)
		max     int
	}
	var runs []run
	for _, mode := range []handler.LookupMode{handler.LookupAdminGetUser, handler.LookupListUsers} {
		for _, aliases := range [][]string{{"email"}, {"email", "phone_number"}} {
			for _, rate := range []int{10, 50, 100, 200} {
				cfg := handler.DefaultConfig()
				cfg.Lookup = mode
				runs = append(runs, run{"in process", mode, aliases, rate, burst.InProcess(cfg), 100})
			}
		}
	}
	bin, err := rie.Binary(ctx)
	if err != nil {
		return err
	}
	runs = append(runs, run{"dist/bootstrap under the RIE, default configuration", handler.LookupAdminGetUser, []string{"email", "phone_number"}, 50, burst.Bootstrap(bin, bootstrap), 16})
	failed := false
	for i, r := range runs {
		fmt.Fprintf(os.Stderr, "bench: burst %d of %d: %s, %s, %d alias(es), %d/s\n", i+1, len(runs), r.what, r.mode, len(r.aliases), r.rate)
		res, err := burst.Run(ctx, burst.Config{Rate: r.rate, Duration: d, Aliases: r.aliases, ConflictEvery: 10,
			MaxInstances: r.max, NewInstance: r.start, Latency: burstLatency,
			Progress: func(p string) { fmt.Fprintln(os.Stderr, "bench:   "+p) }})
		if err != nil {
			return err
		}
		if res.ConflictsVerified > 0 || res.Slow > 0 {
			failed = true
		}
		fmt.Printf("| %s | %s | %s | %d | %.1f%% (%d of %d) | %d of %d | %d | %.0f ms | %.0f ms | %d | %d of %d |\n",
			r.what, r.mode, strings.Join(r.aliases, ", "), r.rate, 100*res.CleanShare(), res.CleanVerified, res.Clean,
			res.ConflictsVerified, res.Conflicts, res.Slow, ms(res.P50), ms(res.P99), res.Instances, res.Throttled, res.Calls)
	}
	if failed {
		return errors.New("a conflict was verified, or a sign-up took over 5 s")
	}
	return nil
}
