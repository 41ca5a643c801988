package ui

import (
	"net"
	"strconv"
)

// hostPort joins a host and a port.
func hostPort(host string, port int) string { return net.JoinHostPort(host, strconv.Itoa(port)) }

// dialHost is where a client reaches a server listening on host: a server bound
// to every interface is reached on loopback.
func dialHost(host string) string {
	switch host {
	case "", "0.0.0.0":
		return "127.0.0.1"
	case "::":
		return "::1"
	}
	return host
}

// isLocalOnly reports whether listening on host keeps a server to this computer.
func isLocalOnly(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
