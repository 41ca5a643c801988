package httpserver_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/protocollab/protolab/servers/httpserver"
	"github.com/protocollab/protolab/servers/internal/servertest"
)

// encodeAll percent-encodes every byte of p but letters, digits, "/", "." and
// "-": a backslash is %5C, a colon %3A.
func encodeAll(p string) string {
	var b strings.Builder
	for _, c := range []byte(p) {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '/', c == '.', c == '-':
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func get(t *testing.T, rawURL string) (int, string) {
	t.Helper()
	resp, err := http.Get(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestWindowsNames asks the docroot for every Windows form, URL-encoded: each is
// refused with 400 and the reason, even where a file of that name exists (made
// here, on Linux). Such files are listed; ordinary names are served as before.
func TestWindowsNames(t *testing.T) {
	servertest.SkipOnWindows(t)
	base := t.TempDir()
	root := filepath.Join(base, "root")
	os.MkdirAll(filepath.Join(root, "pub"), 0o755)
	os.WriteFile(filepath.Join(base, "secret.txt"), []byte("outside"), 0o644)
	made := []string{"secret.txt", "secret.txt.", "CON", "a:b", "README.txt", "pub/hello.txt"}
	for _, name := range append(made, servertest.OrdinaryNames...) {
		if err := os.WriteFile(filepath.Join(root, name), []byte("file "+name), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	before := servertest.Tree(t, base)
	_, addr := startServer(t, httpserver.Options{Docroot: os.DirFS(root)})
	forms := append(slices.Clone(servertest.WindowsForms), "a\tb", "a\x01b")
	for _, name := range forms {
		p := name
		if !strings.HasPrefix(p, "/") {
			p = "/" + p
		}
		for _, u := range []string{encodeAll(p), "/pub" + encodeAll(p)} {
			code, body := get(t, "http://"+addr+u)
			if code != http.StatusBadRequest || !strings.Contains(body, "Windows treats specially") {
				t.Errorf("GET %s = %d %q, want 400 saying why", u, code, body)
			}
		}
	}
	// A few as a browser or curl would write them.
	for _, u := range []string{"/a%5C..%5C..%5Csecret.txt", "/C%3A%5Cx", "/README.txt%3A%3A%24DATA", "/CON", "/con.txt", "/secret.txt.", "/a:b"} {
		if code, body := get(t, "http://"+addr+u); code != http.StatusBadRequest {
			t.Errorf("GET %s = %d %q, want 400", u, code, body)
		}
	}
	// The listing shows every file as it is.
	code, body := get(t, "http://"+addr+"/")
	for _, name := range []string{"CON", "secret.txt.", "README.txt", "pub/"} {
		if code != http.StatusOK || !strings.Contains(body, ">"+name+"<") {
			t.Errorf("GET / = %d, want %q listed:\n%s", code, name, body)
		}
	}
	for _, name := range append([]string{"secret.txt", "README.txt", "pub/hello.txt"}, servertest.OrdinaryNames...) {
		u := "/" + (&url.URL{Path: name}).EscapedPath()
		if code, body := get(t, "http://"+addr+u); code != http.StatusOK || body != "file "+name {
			t.Errorf("GET %s = %d %q, want the file", u, code, body)
		}
	}
	if after := servertest.Tree(t, base); !slices.Equal(before, after) {
		t.Errorf("the folders changed:\nbefore %q\nafter  %q", before, after)
	}
	// The lab's own pages refuse them too.
	_, own := startServer(t, httpserver.Options{})
	if code, _ := get(t, "http://"+own+"/index.html%3A%3A%24DATA"); code != http.StatusBadRequest {
		t.Errorf("GET /index.html::$DATA from the lab's pages = %d, want 400", code)
	}
}
