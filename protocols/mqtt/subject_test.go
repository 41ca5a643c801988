package mqtt

import (
	"errors"
	"testing"
)

// topicTests is nats-server's own table of topic names and the subjects it
// publishes them to (server/mqtt_test.go, TestMQTTTopicAndSubjectConversion,
// v2.15.3), with the lab's topics first.
var topicTests = []struct {
	topic, subject string
	err            error
}{
	{"lab/sensors/t1", "lab.sensors.t1", nil},
	{"lab/a.b", "lab.a//b", nil},
	{"", "", nil},
	{"/", "/./", nil},
	{"//", "/././", nil},
	{"///", "/./././", nil},
	{"////", "/././././", nil},
	{"foo", "foo", nil},
	{"/foo", "/.foo", nil},
	{"//foo", "/./.foo", nil},
	{"///foo", "/././.foo", nil},
	{"///foo/", "/././.foo./", nil},
	{"///foo//", "/././.foo././", nil},
	{"///foo///", "/././.foo./././", nil},
	{"//.foo.//", "/././/foo//././", nil},
	{"foo/bar", "foo.bar", nil},
	{"/foo/bar", "/.foo.bar", nil},
	{"/foo/bar/", "/.foo.bar./", nil},
	{"foo/bar/baz", "foo.bar.baz", nil},
	{"/foo/bar/baz", "/.foo.bar.baz", nil},
	{"/foo/bar/baz/", "/.foo.bar.baz./", nil},
	{"bar/", "bar./", nil},
	{"bar//", "bar././", nil},
	{"bar///", "bar./././", nil},
	{"foo//bar", "foo./.bar", nil},
	{"foo///bar", "foo././.bar", nil},
	{"foo////bar", "foo./././.bar", nil},
	{".", "//", nil},
	{"..", "////", nil},
	{"...", "//////", nil},
	{"./", "//./", nil},
	{".//.", "//././/", nil},
	{"././.", "//.//.//", nil},
	{"././/.", "//.//././/", nil},
	{".foo", "//foo", nil},
	{"foo.", "foo//", nil},
	{".foo.", "//foo//", nil},
	{"foo../bar/", "foo////.bar./", nil},
	{"foo../bar/.", "foo////.bar.//", nil},
	{"/foo/", "/.foo./", nil},
	{"./foo/.", "//.foo.//", nil},
	{"foo.bar/baz", "foo//bar.baz", nil},
	{"foo/+", "", ErrWildcard},
	{"foo/#", "", ErrWildcard},
	{"foo bar", "", ErrUnsupported},
	{"foo\x7fbar", "", ErrUnsupported},
	{"a\tb", "", ErrUnsupported},
}

func TestTopicToSubject(t *testing.T) {
	for _, tt := range topicTests {
		got, err := TopicToSubject(tt.topic)
		if got != tt.subject || !errors.Is(err, tt.err) {
			t.Errorf("TopicToSubject(%q) = %q, %v; want %q, %v", tt.topic, got, err, tt.subject, tt.err)
		}
	}
}

// filterTests is nats-server's table of topic filters and the subjects it
// subscribes to (TestMQTTFilterConversion, v2.15.3).
var filterTests = []struct{ filter, subject string }{
	{"+", "*"},
	{"/+", "/.*"},
	{"+/", "*./"},
	{"/+/", "/.*./"},
	{"foo/+", "foo.*"},
	{"foo/+/", "foo.*./"},
	{"foo/+/bar", "foo.*.bar"},
	{"foo/+/+", "foo.*.*"},
	{"foo/+/+/", "foo.*.*./"},
	{"foo/+/+/bar", "foo.*.*.bar"},
	{"foo//+", "foo./.*"},
	{"foo//+/", "foo./.*./"},
	{"foo//+//", "foo./.*././"},
	{"foo//+//bar", "foo./.*./.bar"},
	{"foo///+///bar", "foo././.*././.bar"},
	{"foo.bar///+///baz", "foo//bar././.*././.baz"},
	{"#", ">"},
	{"/#", "/.>"},
	{"/foo/#", "/.foo.>"},
	{"foo/#", "foo.>"},
	{"foo//#", "foo./.>"},
	{"foo///#", "foo././.>"},
	{"foo/bar/#", "foo.bar.>"},
	{"foo/bar.baz/#", "foo.bar//baz.>"},
	{"foo*/bar", "foo*.bar"},
	{"foo>/bar", "foo>.bar"},
	{"foo/*/bar", "foo.*.bar"},
	{"foo/*/bar/*", "foo.*.bar.*"},
	{"foo/>", "foo.>"},
	{"foo/*/bar/>", "foo.*.bar.>"},
}

func TestFilterToSubject(t *testing.T) {
	for _, tt := range filterTests {
		if got, err := FilterToSubject(tt.filter); got != tt.subject || err != nil {
			t.Errorf("FilterToSubject(%q) = %q, %v; want %q", tt.filter, got, err, tt.subject)
		}
	}
}
