package redisserver

import (
	"fmt"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/redis"
)

// Settings keys and their choices.
const (
	SettingDefaultUser = "default user" // DefaultUserOff or DefaultUserOn

	DefaultUserOff = "off: log in as lab / lab"
	DefaultUserOn  = "on: no login needed"
)

// Settings are the server's options, shown in its server pane.
var Settings = []lab.Setting{{
	Key:     SettingDefaultUser,
	Label:   "Default user",
	Default: DefaultUserOff,
	Choices: []string{DefaultUserOff, DefaultUserOn},
	Help: "off: clients log in with AUTH lab lab (redis-cli --user lab --pass lab), and every other command is " +
		"answered NOAUTH until they do; on: clients are let in without AUTH, as a fresh Redis does. The data " +
		"lives in memory only: it is gone when the server stops.",
}}

// Module is the Redis server for the lab's registry (with redis.Protocol).
var Module = lab.ServerModule{New: NewLab, Settings: Settings}

// NewLab adapts a Server to lab.Server. It reads the setting "default user"
// (see Settings).
func NewLab(opts lab.ServerOptions) (lab.Server, error) {
	on := opts.Setting(SettingDefaultUser, DefaultUserOff)
	if on != DefaultUserOff && on != DefaultUserOn {
		return nil, fmt.Errorf("redisserver: %s %q: choose %q or %q", SettingDefaultUser, on, DefaultUserOff, DefaultUserOn)
	}
	srv, err := New(Options{Tap: opts.Tap, DefaultUserOn: on == DefaultUserOn})
	if err != nil {
		return nil, err
	}
	return lab.StreamServer(redis.Name, opts.Addr, srv, srv.Serve), nil
}
