package ftpserver

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"
)

// errEscape reports a path that would leave the served folder.
var errEscape = errors.New("ftpserver: the path leads outside the served folder")

// jail is the served folder. Every file operation goes through an os.Root, which
// refuses names and symbolic links that lead outside it, whatever the checks
// before it missed.
type jail struct {
	root *os.Root
	dir  string
}

// openRoot opens dir ("" is DefaultRoot) as the served folder.
func openRoot(dir string) (*jail, error) {
	if dir == "" {
		var err error
		if dir, err = DefaultRoot(); err != nil {
			return nil, err
		}
	}
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("ftpserver: the root folder %s does not exist — choose a folder that does, or clear the root setting to serve the lab's own folder", dir)
	case err != nil:
		return nil, fmt.Errorf("ftpserver: the root folder: %w", err)
	case !fi.IsDir():
		return nil, fmt.Errorf("ftpserver: the root %s is a file, not a folder — choose the folder that holds it", dir)
	}
	r, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("ftpserver: the root folder: %w", err)
	}
	return &jail{root: r, dir: dir}, nil
}

func (j *jail) Close() error { return j.root.Close() }

// vpath is a path as the client sees it ("/pub/a.txt") and as the root opens it
// ("pub/a.txt"; "." for the root itself).
type vpath struct {
	v, rel string
}

// resolve turns a command's argument into a path inside the root, relative to the
// working directory cwd unless it begins with "/". ".." above "/" is refused: it
// is an attempt to leave the folder, not a path in it.
func resolve(cwd, arg string) (vpath, error) {
	p := arg
	if !strings.HasPrefix(p, "/") {
		p = cwd + "/" + p
	}
	var parts []string
	for _, c := range strings.Split(p, "/") {
		switch c {
		case "", ".":
		case "..":
			if len(parts) == 0 {
				return vpath{}, errEscape
			}
			parts = parts[:len(parts)-1]
		default:
			parts = append(parts, c)
		}
	}
	if len(parts) == 0 {
		return vpath{v: "/", rel: "."}, nil
	}
	rel := strings.Join(parts, "/")
	return vpath{v: "/" + rel, rel: rel}, nil
}

// base is the path's last element ("/" for the root).
func (p vpath) base() string { return path.Base(p.v) }

// dir is the path's parent folder.
func (p vpath) dir() vpath {
	d := path.Dir(p.v)
	if d == "/" {
		return vpath{v: "/", rel: "."}
	}
	return vpath{v: d, rel: d[1:]}
}

// escaped reports whether err is os.Root refusing a path that leaves the root
// (through "..", or a symbolic link that points outside).
func escaped(err error) bool {
	return err != nil && (errors.Is(err, errEscape) || strings.Contains(err.Error(), "path escapes from parent"))
}
