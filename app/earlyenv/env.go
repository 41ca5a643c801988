// Package env settles the process's environment before the GUI toolkit reads it.
//
// Fyne reads the user's locale while its packages initialize, before main runs,
// and under LANG=C.UTF-8 (the default of many containers and CI machines) it
// takes "C" for a language, fails to parse it and logs an error on standard
// error at every start, even for `protolab serve`. This package, imported by
// the command and the window's package, runs first: Go initializes, of the
// packages whose imports are ready, the one whose import path sorts first
// (the Go spec, "Package initialization"), and this module's path,
// early.protolab/env, sorts before fyne.io's. It lives in a module of its own
// for that path alone; it has no other use and imports only os and strings.
package env

import (
	"os"
	"strings"
)

func init() { quietLocale() }

// quietLocale says English, in this process only, through LANGUAGE, when the
// locale is C or POSIX with a codeset (C.UTF-8), which means no localization:
// for such a locale Fyne reads LANGUAGE before the locale's name. A real locale
// (de_DE.UTF-8), plain C or POSIX (which Fyne understands), or a LANGUAGE
// already set are left alone.
func quietLocale() {
	if os.Getenv("LANGUAGE") != "" {
		return
	}
	for _, name := range [...]string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := os.Getenv(name)
		if v == "" {
			continue
		}
		lang, _, _ := strings.Cut(v, ".")
		lang, _, _ = strings.Cut(lang, "@")
		if (lang == "C" || lang == "POSIX") && v != lang {
			os.Setenv("LANGUAGE", "en")
		}
		return
	}
}
