//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"flag"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/autoconfirm/autoconfirm"
	"github.com/autoconfirm/autoconfirm/harness/conformance"
	"github.com/autoconfirm/autoconfirm/harness/targets"
)

var shotsDir = flag.String("out", "", "report-check: keep the rendered report and its screenshots here")

// chromium runs headless Chromium with the flags this machine needs, in a
// fresh profile, and returns its standard output.
func chromium(t *testing.T, args ...string) []byte {
	t.Helper()
	browser, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatal("chromium is not installed: apt-get install -y chromium (make report-check installs it as root)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--user-data-dir=" + t.TempDir()}
	out, err := exec.CommandContext(ctx, browser, append(base, args...)...).Output()
	if err != nil {
		t.Fatalf("chromium %v: %v", args, err)
	}
	return out
}

func screenshot(t *testing.T, url, file, size string) image.Image {
	t.Helper()
	chromium(t, "--window-size="+size, "--screenshot="+file, url)
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return img
}

// colours counts the distinct colours of an image: a blank or failed render
// has one or two.
func colours(img image.Image) int {
	seen := map[[4]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			r, g, bl, a := img.At(x, y).RGBA()
			seen[[4]uint32{r, g, bl, a}] = true
		}
	}
	return len(seen)
}

// TestReportInChromium renders the report as a product owner would see it:
// the page Chromium builds holds every scenario of the run and the matrix,
// the overview renders, and a deep link renders that scenario alone.
func TestReportInChromium(t *testing.T) {
	dir := *shotsDir
	if dir == "" {
		dir = t.TempDir()
	}
	dir, _ = filepath.Abs(dir)
	res := conformance.Run(context.Background(), conformance.Options{Target: targets.NewInProcess(), Content: autoconfirm.Content(),
		Format: "progress", Concurrency: 4, Output: &bytes.Buffer{}, Errors: &bytes.Buffer{}, NoColors: true, ReportDir: dir})
	if res.Status != conformance.ExitPass {
		t.Fatalf("the run behind the report failed: %d", res.Status)
	}
	page := filepath.Join(dir, conformance.HTMLFile)
	b, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	// The DOM Chromium built from the page.
	doc, err := html.Parse(bytes.NewReader(chromium(t, "--dump-dom", "file://"+page)))
	if err != nil {
		t.Fatal(err)
	}
	scenarios, rows := 0, 0
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			for _, a := range n.Attr {
				if a.Key == "class" && strings.HasPrefix(a.Val, "scenario") && a.Val != "scenario-row" {
					scenarios++
				}
				if a.Key == "class" && a.Val == "scenario-row" {
					rows++
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	want := strings.Count(string(b), `<div class="scenario" id=`)
	if scenarios != want || rows != want || want < 80 {
		t.Errorf("Chromium's page holds %d scenario blocks and %d matrix rows; the report has %d scenarios", scenarios, rows, want)
	}
	m := regexp.MustCompile(`<div class="scenario" id="([^"]+)"[^>]*data-status="passed">(?s:.*?)flag right`).FindSubmatch(b)
	if m == nil {
		t.Fatal("the report shows no passed scenario with a flag checked")
	}
	overview := screenshot(t, "file://"+page, filepath.Join(dir, "overview.png"), "1400,2000")
	scenario := screenshot(t, "file://"+page+"#"+string(m[1]), filepath.Join(dir, "scenario.png"), "1400,1000")
	for name, img := range map[string]image.Image{"overview": overview, "scenario": scenario} {
		if n := colours(img); n < 20 {
			t.Errorf("the %s screenshot has %d colours: it rendered blank", name, n)
		}
	}
	// The deep link hides the rest: its top differs from the overview's.
	same := 0
	for y := 200; y < 600; y += 10 {
		for x := 0; x < 1400; x += 10 {
			if overview.At(x, y) == scenario.At(x, y) {
				same++
			}
		}
	}
	if same == 40*140 {
		t.Error("the deep link renders the same page as the overview")
	}
	t.Logf("screenshots in %s", dir)
}
