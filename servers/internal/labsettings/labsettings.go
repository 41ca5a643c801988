// Package labsettings reads the lab.ServerOptions settings the lab's servers
// share: on/off switches, sizes chosen from a list, and the shared mail stores of the lab's domains for
// the SMTP, POP3 and IMAP servers. Its functions keep no state.
package labsettings

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/labdir"
	"github.com/protocollab/protolab/servers/mailstore"
)

// The choices of an on/off setting.
const (
	On  = "on"
	Off = "off"
)

// Switch reads the on/off setting key of opts, def (On or Off) when it is not
// set. Any other value is an error that begins with prefix, the server's package
// name, and names both choices, def first.
func Switch(prefix string, opts lab.ServerOptions, key, def string) (bool, error) {
	other := On
	if def == On {
		other = Off
	}
	switch v := opts.Setting(key, def); v {
	case On:
		return true, nil
	case Off:
		return false, nil
	default:
		return false, fmt.Errorf("%s: %s %q: choose %q or %q", prefix, key, v, def, other)
	}
}

// All is the choice of a Size setting that sets no bound.
const All = "all"

// Size reads the setting key of opts, def when it is not set: one of choices,
// sizes written "64 KiB", "1 MiB", "2 GiB", or All (0: no bound), as bytes.
// Any other value is an error that begins with prefix, the server's package
// name, and names the choices.
func Size(prefix string, opts lab.ServerOptions, key, def string, choices []string) (int64, error) {
	v := opts.Setting(key, def)
	if slices.Contains(choices, v) {
		if v == All {
			return 0, nil
		}
		num, unit, _ := strings.Cut(v, " ")
		n, err := strconv.ParseInt(num, 10, 64)
		shift, ok := map[string]uint{"B": 0, "KiB": 10, "MiB": 20, "GiB": 30}[unit]
		if err == nil && ok && n > 0 {
			return n << shift, nil
		}
	}
	return 0, fmt.Errorf("%s: %s = %q: choose one of %s", prefix, key, v, strings.Join(choices, ", "))
}

// OpenStore opens the lab's shared Store of domain (mailstore.Default), kept in
// the lab's data folder (labdir.Data): the SMTP, POP3 and IMAP servers of the
// process share one Store per domain.
func OpenStore(domain string) (*mailstore.Store, error) {
	data, err := labdir.Data()
	if err != nil {
		return nil, err
	}
	return mailstore.Default(data, domain)
}

// Stores opens the store of each of domains with open (OpenStore, unless a test
// says otherwise). Its errors begin with prefix, the server's package name.
func Stores[S any](prefix string, domains []string, open func(domain string) (S, error)) ([]S, error) {
	stores := make([]S, 0, len(domains))
	for _, d := range domains {
		st, err := open(d)
		if err != nil {
			return nil, fmt.Errorf("%s: the mail of %s: %w", prefix, d, err)
		}
		stores = append(stores, st)
	}
	return stores, nil
}
