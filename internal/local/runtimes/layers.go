package runtimes

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/autoconfirm/autoconfirm/harness/deployed/codezip"
	"github.com/autoconfirm/autoconfirm/internal/local/sandbox"
)

// MaxLayers is how many layers Lambda gives a function (rules §17).
const MaxLayers = 5

// Layers lays the layers out in dir/opt, in order, a later layer's file
// replacing an earlier one's, as Lambda extracts them into /opt. Each is a
// directory or a zip, counted against budget, which holds the code's count:
// Lambda's quota is on the code and its layers together. It returns the
// directory that stands in for /opt, or "" when there are none.
func Layers(dir string, budget *codezip.Budget, layers []string) (string, error) {
	if len(layers) == 0 {
		return "", nil
	}
	if len(layers) > MaxLayers {
		return "", fmt.Errorf("%w: %d layers, and Lambda gives a function at most %d (docs/cognito-rules.md §17)", codezip.ErrLimit, len(layers), MaxLayers)
	}
	opt := filepath.Join(dir, "opt")
	for _, l := range layers {
		st, err := os.Stat(l)
		if err != nil {
			return "", fmt.Errorf("layer %s: %w", l, err)
		}
		if st.IsDir() {
			err = copyTree(l, opt, budget)
		} else {
			err = codezip.ExtractWithin(l, opt, sandbox.Opt, budget)
		}
		if err != nil {
			return "", fmt.Errorf("laying out the layer %s as Lambda does under /opt: %w", l, err)
		}
	}
	return opt, nil
}

// layerEnv is what points the runtime at the layers in opt, where Lambda's
// runtimes look in /opt: the Node.js modules (NODE_PATH, which require
// reads, and import too through the preload, as on Lambda), the Python packages
// (PYTHONPATH) and the executables (PATH); the libraries are in
// LD_LIBRARY_PATH as Lambda sets it (libraryPath).
func layerEnv(rt Runtime, opt string) []string {
	if opt == "" {
		return nil
	}
	env := []string{
		"PATH=" + filepath.Join(opt, "bin") + ":/usr/local/bin:/usr/bin/:/bin",
	}
	switch rt.Kind {
	case Node:
		env = append(env, "NODE_PATH="+strings.Join([]string{
			filepath.Join(opt, "nodejs", fmt.Sprintf("node%d", rt.Major), "node_modules"),
			filepath.Join(opt, "nodejs", "node_modules"),
		}, ":"))
	case Python:
		env = append(env, "PYTHONPATH="+strings.Join([]string{
			filepath.Join(opt, "python", "lib", fmt.Sprintf("python3.%d", rt.Minor), "site-packages"),
			filepath.Join(opt, "python"),
		}, ":"))
	}
	return env
}

// layerDifference is what a run with layers says, every time.
func layerDifference(opt string) string {
	return fmt.Sprintf("the layers are laid out in %s, not /opt, and the runtime is pointed at them as Lambda's is at /opt; code that names /opt by its path does not find them here", opt)
}

// copyTree copies the files below src into dst as a zip of src would hold
// them (symlinks inside src followed), after checking the whole tree
// against b, for symlink loops and for symlinks that lead out of src
// (refused: the sandbox holds the layers alone), and never through a
// symlink an earlier layer left in dst that leads out of it.
func copyTree(src, dst string, b *codezip.Budget) error {
	list, err := codezip.Files(src, b)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	for _, f := range list {
		to := filepath.Join(dst, filepath.FromSlash(f.Name))
		if err := codezip.Within(dst, filepath.Dir(to)); err != nil {
			return err
		}
		if err := codezip.CopyFile(f.Path, to, f.Mode.Perm(), f.Size); err != nil {
			return err
		}
	}
	return nil
}
