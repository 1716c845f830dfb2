package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/autoconfirm/autoconfirm/harness/cognitofake"
	"github.com/autoconfirm/autoconfirm/internal/local/rie"
)

// fakeEnv points a bootstrap's SDK at a fake pool, so the default policy runs
// without a network. AWS_CA_BUNDLE is cleared, as it is on Lambda: where a
// machine sets it, the SDK parses that bundle at start-up, about 4 ms here.
func fakeEnv(fake *cognitofake.Server, extra ...string) []string {
	return append([]string{"AWS_ENDPOINT_URL=" + fake.URL, "AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=bench",
		"AWS_SECRET_ACCESS_KEY=bench", "LOG_LEVEL=error", "AWS_CA_BUNDLE="}, extra...)
}

func coldStart(ctx context.Context, bootstrap string, n int) error {
	dir, err := os.MkdirTemp("", "autoconfirm-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	minimal := filepath.Join(dir, "minimal")
	build := exec.CommandContext(ctx, "go", "build", "-trimpath", "-tags", "lambda.norpc", "-ldflags=-s -w", "-o", minimal, "./testdata/minimal")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("building the minimal function: %v\n%s", err, out)
	}
	bin, err := rie.Binary(ctx)
	if err != nil {
		return err
	}
	fake := poolFake(poolID, 0)
	defer fake.Close()
	payload := fixture("email-only")
	cases := []coldCase{
		{"minimal aws-lambda-go function", minimal, fakeEnv(fake)},
		{"dist/bootstrap, ALIAS_POLICY=allow", bootstrap, fakeEnv(fake, "ALIAS_POLICY=allow")},
		{"dist/bootstrap, default configuration (SDK client, DescribeUserPool, first lookup)", bootstrap, fakeEnv(fake)},
		{"dist/bootstrap, default policy, with this machine's AWS_CA_BUNDLE", bootstrap, fakeEnv(fake, "AWS_CA_BUNDLE="+os.Getenv("AWS_CA_BUNDLE"))},
	}
	times, err := startTimes(ctx, bin, cases, payload, n)
	if err != nil {
		return err
	}
	base := median(times[0])
	fmt.Printf("\n## 2. Cold start\n\nFrom exec of the Runtime Interface Emulator to the first answered invocation (email-only), median of %d starts, interleaved.\n\n", n)
	fmt.Println("| binary | size | median | ratio to minimal |")
	fmt.Println("|---|---|---|---|")
	worst := 0.0
	for c, tc := range cases {
		st, err := os.Stat(tc.bin)
		if err != nil {
			return err
		}
		m := median(times[c])
		r := float64(m) / float64(base)
		if c > 0 && !strings.Contains(tc.name, "AWS_CA_BUNDLE") {
			worst = max(worst, r)
		}
		fmt.Printf("| %s | %.1f MB | %.1f ms | %.2f× |\n", tc.name, float64(st.Size())/1e6, float64(m.Microseconds())/1000, r)
	}
	fmt.Printf("\nTarget ≤ 1.2×, for the configurations Lambda runs (no AWS_CA_BUNDLE): worst %.2f× %s.\n", worst, verdict(worst <= 1.2))
	return nil
}

// coldCase is one binary started cold, with its environment.
type coldCase struct {
	name, bin string
	env       []string
}

// startTimes starts each case n times under the emulator at bin,
// interleaved so that drift hits every case alike, and times each start
// to its first answer to payload.
func startTimes(ctx context.Context, bin string, cases []coldCase, payload []byte, n int) ([][]time.Duration, error) {
	times := make([][]time.Duration, len(cases))
	for range n {
		for c, tc := range cases {
			start := time.Now()
			p, err := rie.Start(ctx, bin, tc.bin, tc.env, nil)
			if err != nil {
				return nil, err
			}
			_, err = p.Invoke(ctx, payload)
			d := time.Since(start)
			p.Stop()
			if err != nil {
				return nil, err
			}
			times[c] = append(times[c], d)
		}
	}
	return times, nil
}

// poolID is the pool the fixtures name.
const poolID = "us-east-1_Example01"

// poolFake is a fake with one empty pool, both attributes aliases, no quotas,
// and every answer after latency: it measures the function, not throttling.
func poolFake(pool string, latency time.Duration) *cognitofake.Server {
	fake := cognitofake.New()
	fake.CreatePool(pool, cognitofake.DefaultPoolConfig)
	fake.SetQuotas(cognitofake.Quotas{})
	fake.SetLatency(latency)
	return fake
}

// autoCost measures what ALIAS_ATTRIBUTES=auto adds to a cold start: the
// DescribeUserPool round trip on the instance's first sign-up, against a fake
// pool that answers every call after latency.
func autoCost(ctx context.Context, bootstrap string, n int, latency time.Duration) error {
	bin, err := rie.Binary(ctx)
	if err != nil {
		return err
	}
	fake := poolFake(poolID, latency)
	defer fake.Close()
	payload := fixture("email-and-phone")
	cases := []struct{ name, attrs string }{
		{"ALIAS_ATTRIBUTES=email,phone_number (no DescribeUserPool)", "email,phone_number"},
		{"ALIAS_ATTRIBUTES=auto, read on the first sign-up", "auto"},
	}
	first := make([][]time.Duration, len(cases))
	warm := make([][]time.Duration, len(cases))
	for i := 0; i < n; i++ {
		for c, tc := range cases {
			start := time.Now()
			p, err := rie.Start(ctx, bin, bootstrap, fakeEnv(fake, "ALIAS_ATTRIBUTES="+tc.attrs), nil)
			if err != nil {
				return err
			}
			_, err = p.Invoke(ctx, payload)
			first[c] = append(first[c], time.Since(start))
			if err == nil {
				start = time.Now()
				_, err = p.Invoke(ctx, payload)
				warm[c] = append(warm[c], time.Since(start))
			}
			p.Stop()
			if err != nil {
				return err
			}
		}
	}
	fmt.Printf("\n### Cold-start cost of ALIAS_ATTRIBUTES=auto, %s per Cognito call\n\n", latency)
	fmt.Printf("From exec of the emulator to the first answer (email and phone number), and the second invocation, median of %d, interleaved.\n\n", n)
	fmt.Println("| configuration | first invocation | second invocation |")
	fmt.Println("|---|---|---|")
	for c, tc := range cases {
		fmt.Printf("| %s | %.1f ms | %.1f ms |\n", tc.name, ms(median(first[c])), ms(median(warm[c])))
	}
	fmt.Printf("\nauto adds %.1f ms to the first sign-up of an instance and %.1f ms to the next.\n",
		ms(median(first[1]))-ms(median(first[0])), ms(median(warm[1]))-ms(median(warm[0])))
	return nil
}
