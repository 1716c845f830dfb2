package runtimes

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/autoconfirm/autoconfirm/codezip"
)

// Layers lays the layers out in dir/opt, in order, a later layer's file
// replacing an earlier one's, as Lambda extracts them into /opt. Each is a
// directory or a zip. It returns the directory that stands in for /opt, or
// "" when there are none.
func Layers(dir string, layers []string) (string, error) {
	if len(layers) == 0 {
		return "", nil
	}
	opt := filepath.Join(dir, "opt")
	for _, l := range layers {
		st, err := os.Stat(l)
		if err != nil {
			return "", fmt.Errorf("layer %s: %w", l, err)
		}
		if st.IsDir() {
			err = copyTree(l, opt)
		} else {
			err = codezip.Extract(l, opt)
		}
		if err != nil {
			return "", fmt.Errorf("laying out the layer %s as Lambda does under /opt: %w", l, err)
		}
	}
	return opt, nil
}

// layerEnv is what points the runtime at the layers in opt, where Lambda's
// runtimes look in /opt: the Node.js modules (NODE_PATH, which require
// reads and import does not, as on Lambda), the Python packages
// (PYTHONPATH), the executables (PATH) and the libraries (LD_LIBRARY_PATH).
func layerEnv(rt Runtime, opt string) []string {
	if opt == "" {
		return nil
	}
	env := []string{
		"PATH=" + filepath.Join(opt, "bin") + ":/usr/local/bin:/usr/bin/:/bin",
		"LD_LIBRARY_PATH=" + filepath.Join(opt, "lib"),
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

func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		to := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(to, 0o755)
		}
		info, err := os.Stat(p) // symlinks followed, as a zip would hold them
		if err != nil {
			return err
		}
		if info.IsDir() { // a link to a directory
			return copyTree(p, to)
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		return codezip.WriteFile(to, in, info.Mode().Perm())
	})
}
