// Command reportcheck looks at the HTML report the way a person would: it
// renders it in headless Chromium and saves two screenshots, the overview
// with the conformance matrix and one scenario with its event and response.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"time"
)

func main() {
	page := flag.String("report", "reports/report.html", "the HTML report to render")
	out := flag.String("out", "reports", "where to write overview.png and scenario.png")
	flag.Parse()
	if err := run(*page, *out); err != nil {
		fmt.Fprintln(os.Stderr, "report-check:", err)
		os.Exit(1)
	}
}

// firstScenario finds a scenario block that shows a response with a flag set.
var firstScenario = regexp.MustCompile(`<div class="scenario" id="([^"]+)"[^>]*data-status="passed">(?s:.*?)flag right`)

func run(page, out string) error {
	browser, err := exec.LookPath("chromium")
	if err != nil {
		return fmt.Errorf("chromium is not installed: apt-get install -y chromium (Debian's package)")
	}
	abs, err := filepath.Abs(page)
	if err != nil {
		return err
	}
	b, err := os.ReadFile(abs)
	if err != nil {
		return fmt.Errorf("%w (run make conformance first)", err)
	}
	m := firstScenario.FindSubmatch(b)
	if m == nil {
		return fmt.Errorf("%s shows no passed scenario with a flag set", page)
	}
	shots := []struct{ file, url, size string }{
		{"overview.png", "file://" + abs, "1400,2000"},
		{"scenario.png", "file://" + abs + "#" + string(m[1]), "1400,1000"},
	}
	for _, s := range shots {
		profile, err := os.MkdirTemp("", "autoconfirm-chromium-")
		if err != nil {
			return err
		}
		dst, _ := filepath.Abs(filepath.Join(out, s.file))
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		cmd := exec.CommandContext(ctx, browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
			"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
			"--user-data-dir="+profile, "--window-size="+s.size, "--screenshot="+dst, s.url)
		outb, err := cmd.CombinedOutput()
		cancel()
		os.RemoveAll(profile)
		if err != nil {
			return fmt.Errorf("chromium: %v\n%s", err, outb)
		}
		st, err := os.Stat(dst)
		if err != nil || st.Size() < 10000 {
			return fmt.Errorf("chromium wrote no usable screenshot to %s", dst)
		}
		fmt.Printf("report-check: %s (%d KB)\n", dst, st.Size()/1024)
	}
	return nil
}
