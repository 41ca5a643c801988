package mqttclient

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// ErrWildcardTopic is returned by Publish for a topic with a wildcard: only a
// subscription's filter may hold + or # (MQTT 3.1.1 §3.3.2.1).
var ErrWildcardTopic = errors.New("mqttclient: a topic to publish to cannot hold the wildcards + or # (they are for subscriptions): name one topic, e.g. lab/sensors/t1")

// CheckTopic reports whether topic may be published to: one to 65535 bytes of
// UTF-8 without NUL and without wildcards (MQTT 3.1.1 §4.7.3, §3.3.2.1).
func CheckTopic(topic string) error {
	if err := checkName(topic, "topic"); err != nil {
		return err
	}
	if strings.ContainsAny(topic, "+#") {
		return ErrWildcardTopic
	}
	return nil
}

// CheckFilter reports whether filter may be subscribed to: a topic whose
// levels may be + (any one level) and whose last level may be # (this level
// and all below it), each wildcard a whole level (MQTT 3.1.1 §4.7.1).
func CheckFilter(filter string) error {
	if err := checkName(filter, "topic filter"); err != nil {
		return err
	}
	levels := strings.Split(filter, "/")
	for i, l := range levels {
		switch {
		case l == "#" && i != len(levels)-1:
			return fmt.Errorf("mqttclient: in the filter %q, # must be the last level (lab/# matches everything under lab)", filter)
		case l != "#" && l != "+" && strings.ContainsAny(l, "+#"):
			return fmt.Errorf("mqttclient: in the filter %q, the level %q mixes a wildcard with text: + and # stand alone between slashes (lab/+/t1, lab/#)", filter, l)
		}
	}
	return nil
}

func checkName(s, what string) error {
	switch {
	case s == "":
		return fmt.Errorf("mqttclient: the %s is empty", what)
	case len(s) > 65535:
		return fmt.Errorf("mqttclient: the %s is %d bytes long; MQTT allows at most 65535", what, len(s))
	case !utf8.ValidString(s):
		return fmt.Errorf("mqttclient: the %s %q is not UTF-8", what, s)
	case strings.ContainsRune(s, 0):
		return fmt.Errorf("mqttclient: the %s %q holds a NUL character", what, s)
	}
	return nil
}

// CheckQoS reports whether qos is one of MQTT's three levels.
func CheckQoS(qos byte) error {
	if qos > 2 {
		return fmt.Errorf("mqttclient: QoS %d does not exist: 0 is at most once, 1 at least once, 2 exactly once", qos)
	}
	return nil
}
