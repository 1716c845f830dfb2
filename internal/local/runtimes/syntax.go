package runtimes

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/autoconfirm/autoconfirm/internal/local/hostenv"
)

// maxSyntaxFiles bounds how many of the code's files SyntaxError parses
// after the handler's own module, which Lambda's error does not name.
const maxSyntaxFiles = 200

// SyntaxError finds where the handler's code fails to parse, with the
// runtime's own parser (its Node.js binary with Lambda's flags, its Python
// interpreter), since neither Lambda's Node.js error nor its Python one
// gives a column: "index.mjs:3:5: SyntaxError: …", then the line and a
// caret. It parses the handler's module first, then the code's other
// files; nothing is run, only parsed. ok is false when none fails to parse
// (a SyntaxError the code threw while loading, such as JSON.parse's).
func (c Cache) SyntaxError(ctx context.Context, rt Runtime, code, handler string) (where string, ok bool) {
	// The parsers run on this machine, outside the sandbox: bounded in
	// time here, and in what they read by codeFiles (red team round 20).
	ctx, cancel := context.WithTimeout(ctx, syntaxTime)
	defer cancel()
	module := handler
	if i := strings.LastIndex(handler, "."); i > 0 {
		module = handler[:i]
	}
	switch rt.Kind {
	case Node:
		nr, known := nodeRuntimes[rt.Major]
		if !known {
			return "", false
		}
		node, _, _, err := c.nodeBinary(ctx, rt.Major, nr.bin)
		if err != nil {
			return "", false
		}
		files := codeFiles(code, []string{".js", ".mjs", ".cjs"}, module, ".js", ".mjs", ".cjs")
		for _, f := range files {
			if where, ok := nodeCheck(ctx, node, nr.flags, code, f); ok {
				return where, true
			}
		}
	case Python:
		py, _, _, err := pythonFor(ctx, rt)
		if err != nil {
			return "", false
		}
		files := codeFiles(code, []string{".py"}, strings.ReplaceAll(module, ".", "/"), ".py")
		return pythonCheck(ctx, py, code, files)
	}
	return "", false
}

// syntaxTime bounds the search for a syntax error, and maxSyntaxBytes the
// size of a file parsed: a parser holds many times a file's size (a 6 MB
// module took Python 2.1 GB), and a handler's own modules are far smaller.
const (
	syntaxTime     = 20 * time.Second
	maxSyntaxBytes = 1 << 20
)

// codeFiles lists the code's files with one of exts, the handler's module
// first (with the first of its exts that exists), outside node_modules and
// hidden directories, at most maxSyntaxFiles of at most maxSyntaxBytes.
func codeFiles(code string, exts []string, module string, moduleExts ...string) []string {
	var out []string
	for _, ext := range moduleExts {
		if st, err := os.Stat(filepath.Join(code, module+ext)); err == nil && st.Mode().IsRegular() && st.Size() <= maxSyntaxBytes {
			out = append(out, module+ext)
			break
		}
	}
	filepath.WalkDir(code, func(path string, d fs.DirEntry, err error) error {
		if err != nil || len(out) >= maxSyntaxFiles {
			return filepath.SkipDir
		}
		name := d.Name()
		if d.IsDir() && path != code && (name == "node_modules" || strings.HasPrefix(name, ".") || name == "__pycache__") {
			return filepath.SkipDir
		}
		rel, _ := filepath.Rel(code, path)
		if info, err := d.Info(); d.Type().IsRegular() && err == nil && info.Size() <= maxSyntaxBytes && slices.Contains(exts, filepath.Ext(name)) && !slices.Contains(out, rel) {
			out = append(out, rel)
		}
		return nil
	})
	return out
}

// nodeLocation is the head of `node --check`'s report: the file and line.
var nodeLocation = regexp.MustCompile(`^(.+):(\d+)$`)

// nodeCheck parses one file with node --check and Lambda's flags, and says
// where it fails, from node's report:
//
//	/code/index.mjs:3
//	  const x = ;
//	            ^
//
//	SyntaxError: Unexpected token ';'
func nodeCheck(ctx context.Context, node, flags, code, rel string) (string, bool) {
	// "--": a file named as an option (--require=x.js) is still the file
	// checked, never an option of node's on this machine (red team round 18).
	cmd := exec.CommandContext(ctx, node, append(strings.Fields(flags), "--check", "--", rel)...)
	cmd.Dir = code
	cmd.Env = hostenv.Plain(os.Getenv, "") // no NODE_OPTIONS, no secret
	out, err := cmd.CombinedOutput()
	if err == nil {
		return "", false
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) < 3 {
		return "", false
	}
	m := nodeLocation.FindStringSubmatch(lines[0])
	caret := strings.IndexByte(lines[2], '^')
	if m == nil || caret < 0 {
		return "", false
	}
	msg := ""
	for _, l := range lines[3:] {
		if strings.HasPrefix(l, "SyntaxError: ") {
			msg = l
			break
		}
	}
	if msg == "" {
		return "", false
	}
	return fmt.Sprintf("%s:%s:%d: %s\n    %s\n    %s", rel, m[2], caret+1, msg, lines[1], strings.TrimRight(lines[2], " ")), true
}

// pythonParse compiles each file it is given, without running it, and
// prints the first SyntaxError's fields.
const pythonParse = `import sys
for path in sys.argv[1:]:
    try:
        with open(path, 'rb') as f:
            compile(f.read(), path, 'exec', dont_inherit=True)
    except SyntaxError as e:
        text = (e.text or '').rstrip('\n')
        print('%s\0%d\0%d\0%s: %s\0%s' % (path, e.lineno or 0, e.offset or 0, type(e).__name__, e.msg, text), end='')
        break
    except (OSError, ValueError):
        pass
`

// pythonCheck compiles the files with the runtime's interpreter and says
// where the first that does not parse fails.
func pythonCheck(ctx context.Context, py, code string, files []string) (string, bool) {
	if len(files) == 0 {
		return "", false
	}
	cmd := exec.CommandContext(ctx, py, append([]string{"-S", "-B", "-I", "-c", pythonParse}, files...)...)
	cmd.Dir = code
	cmd.Env = hostenv.Plain(os.Getenv, "")
	out, err := cmd.Output()
	f := strings.Split(string(out), "\x00")
	if err != nil || len(f) != 5 {
		return "", false
	}
	text := strings.TrimLeft(f[4], " \t")
	indent := len(f[4]) - len(text)
	col := 0
	fmt.Sscan(f[2], &col)
	where := fmt.Sprintf("%s:%s:%s: %s", f[0], f[1], f[2], f[3])
	if text != "" && col > indent {
		where += fmt.Sprintf("\n    %s\n    %s^", text, strings.Repeat(" ", col-1-indent))
	}
	return where, true
}
