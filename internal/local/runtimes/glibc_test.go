package runtimes

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckGlibc: a bootstrap linked against glibc 2.34 cannot start on
// provided.al2 (glibc 2.26) and can on provided.al2023; a static one and a
// script can on both (red team round 17).
func TestCheckGlibc(t *testing.T) {
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("no C compiler to link a bootstrap against this machine's glibc")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "main.go")
	os.WriteFile(src, []byte("package main\n\n// #include <stdio.h>\nimport \"C\"\n\nfunc main() { C.puts(C.CString(\"hi\")) }\n"), 0o644)
	dynamic, static := filepath.Join(dir, "dynamic"), filepath.Join(dir, "static")
	for out, cgo := range map[string]string{dynamic: "1", static: "0"} {
		pkg := src
		if cgo == "0" {
			pkg = filepath.Join(dir, "static.go")
			os.WriteFile(pkg, []byte("package main\n\nfunc main() {}\n"), 0o644)
		}
		cmd := exec.Command("go", "build", "-o", out, pkg)
		cmd.Env = append(os.Environ(), "CGO_ENABLED="+cgo)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("building: %v\n%s", err, b)
		}
	}
	script := filepath.Join(dir, "script")
	os.WriteFile(script, []byte("#!/bin/sh\n"), 0o755)
	needs234 := glibcNeeds(t, dynamic)
	for _, tt := range []struct {
		runtime, bootstrap string
		refused            bool
	}{
		{"provided.al2", dynamic, needs234},
		{"provided.al2023", dynamic, false},
		{"provided.al2", static, false},
		{"provided.al2", script, false},
		// A native module of a managed runtime (red team round 20).
		{"python3.11", dynamic, needs234},
		{"python3.12", dynamic, false},
		{"nodejs20.x", dynamic, false},
	} {
		err := checkGlibc(tt.runtime, tt.bootstrap)
		if refused := err != nil; refused != tt.refused {
			t.Errorf("%s, %s: %v; want refused %v", tt.runtime, filepath.Base(tt.bootstrap), err, tt.refused)
		}
	}
	// A script bootstrap that starts a program of the package's (red team
	// round 19).
	tree := t.TempDir()
	os.WriteFile(filepath.Join(tree, "bootstrap"), []byte("#!/bin/sh\nexec ./bin/real\n"), 0o755)
	os.MkdirAll(filepath.Join(tree, "bin"), 0o755)
	b, _ := os.ReadFile(dynamic)
	os.WriteFile(filepath.Join(tree, "bin", "real"), b, 0o755)
	if err := checkGlibcTree("provided.al2", tree); (err != nil) != needs234 || err != nil && !strings.Contains(err.Error(), "bin/real") {
		t.Errorf("a script that starts bin/real on provided.al2: %v; want refused %v, naming bin/real", err, needs234)
	}
	if err := checkGlibcTree("provided.al2023", tree); err != nil {
		t.Errorf("the same on provided.al2023: %v", err)
	}
	if !needs234 {
		t.Skip("this machine's glibc is older than 2.27: the refusal on provided.al2 cannot be shown")
	}
}

// glibcNeeds reports whether the binary needs a glibc newer than 2.26.
func glibcNeeds(t *testing.T, bin string) bool {
	out, _ := exec.Command("objdump", "-T", bin).Output()
	for _, f := range strings.Fields(string(out)) {
		if v, ok := glibcVersion(strings.Trim(f, "()")); ok && (v[0] > 2 || v[1] > 26) {
			return true
		}
	}
	return false
}

func TestGlibcVersion(t *testing.T) {
	for in, want := range map[string][2]int{"GLIBC_2.34": {2, 34}, "GLIBC_2.3.2": {2, 3}, "GLIBC_2.2.5": {2, 2}} {
		if got, ok := glibcVersion(in); !ok || got != want {
			t.Errorf("%s: %v %v", in, got, ok)
		}
	}
	if _, ok := glibcVersion("GCC_3.0"); ok {
		t.Error("GCC_3.0 read as a glibc version")
	}
}
