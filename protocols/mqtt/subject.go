package mqtt

import (
	"errors"
	"fmt"
)

// Errors of TopicToSubject, as nats-server refuses such topics.
var (
	ErrWildcard    = errors.New("mqtt: a wildcard in a topic name")
	ErrUnsupported = errors.New("mqtt: a character nats-server does not accept in a topic")
)

// TopicToSubject returns the NATS subject nats-server publishes an MQTT topic
// name to, exactly as its mqttTopicToNATSPubSubject (server/mqtt.go, v2.15.3)
// turns it: each '/' that separates two levels becomes '.', a '/' that begins
// the topic becomes "/.", one before another '/' or at the end "./" (so
// "a//b" is "a./.b"), and a '.' becomes "//". Whitespace and DEL are refused
// (ErrUnsupported), and so are the wildcards '+' and '#', which only a topic
// filter may hold (ErrWildcard; MQTT 3.1.1 §4.7.1).
func TopicToSubject(topic string) (string, error) {
	return toSubject(topic, false)
}

// FilterToSubject returns the NATS subject nats-server subscribes to for an
// MQTT topic filter: as TopicToSubject, with '+' becoming '*' and '#' '>'.
func FilterToSubject(filter string) (string, error) {
	return toSubject(filter, true)
}

// toSubject is nats-server's mqttToNATSSubjectConversion, step for step.
func toSubject(mt string, wildcards bool) (string, error) {
	res := make([]byte, 0, len(mt)+10)
	end := len(mt) - 1
	for i := 0; i < len(mt); i++ {
		switch c := mt[i]; c {
		case '/':
			switch {
			case i == 0 || res[len(res)-1] == '.':
				res = append(res, '/', '.')
			case i == end || mt[i+1] == '/':
				res = append(res, '.', '/')
			default:
				res = append(res, '.')
			}
		case ' ', '\t', '\n', '\r', '\f', 0x7f:
			return "", fmt.Errorf("%w: %q at byte %d", ErrUnsupported, c, i)
		case '.':
			res = append(res, '/', '/')
		case '+', '#':
			if !wildcards {
				return "", fmt.Errorf("%w: %q at byte %d", ErrWildcard, c, i)
			}
			if c == '+' {
				res = append(res, '*')
			} else {
				res = append(res, '>')
			}
		default:
			res = append(res, c)
		}
	}
	if len(res) > 0 && res[len(res)-1] == '.' {
		res = append(res, '/')
	}
	return string(res), nil
}
