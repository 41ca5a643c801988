// Package ftproot holds the files the lab's FTP server serves by default: a
// README, a small PNG image (binary: it shows why TYPE I matters) and a folder
// pub/ with a few text files. The server copies them once into a folder of the
// person's own (see servers/ftpserver), where uploads then go.
package ftproot

import (
	"embed"
	"io/fs"
)

//go:embed files
var files embed.FS

// FS is the seed folder: README.txt, logo.png and pub/ at its top.
var FS fs.FS = mustSub(files, "files")

func mustSub(f fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err)
	}
	return sub
}
