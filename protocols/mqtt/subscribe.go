package mqtt

import (
	"fmt"
	"strings"

	"github.com/protocollab/protolab/lab"
)

// subscribe decodes a SUBSCRIBE (§3.8): a packet identifier, then topic
// filters, each with the QoS the client asks for.
func (a *Analyzer) subscribe(p *packet) lab.Message {
	id, _ := p.u16("packet identifier")
	var filters, list []string
	for i := 1; p.left() > 0 && p.short == ""; i++ {
		f, ok := p.str(fmt.Sprintf("topic filter %d", i))
		q, off, ok2 := p.byte1(fmt.Sprintf("requested QoS %d", i))
		if !ok || !ok2 {
			break
		}
		p.add(fmt.Sprintf("requested QoS %d", i), fmt.Sprint(q&3), off, 1)
		if q&^3 != 0 {
			p.fault("reserved bits set in a requested QoS byte", "[MQTT-3.8.3-4]")
		}
		if q&3 == 3 {
			p.fault("requested QoS 3", "[MQTT-3.8.3-4]")
		}
		if s, err := FilterToSubject(f); err == nil {
			p.note(fmt.Sprintf("NATS subject %d", i), s)
		}
		filters = append(filters, f)
		list = append(list, fmt.Sprintf("%s (QoS %d)", f, q&3))
	}
	if len(filters) == 0 && p.short == "" {
		p.fault("no topic filter", "[MQTT-3.8.3-3]")
	}
	if id == 0 && p.short == "" {
		p.fault("packet identifier 0", "[MQTT-2.3.1-1]")
	}
	if len(a.subs) < maxTracked {
		a.subs[id] = filters
	}
	return p.finish(fmt.Sprintf("SUBSCRIBE %d: %s", id, strings.Join(list, ", ")),
		"The client asks for the messages published to topics that match each filter, at most at the QoS it names. "+
			"In a filter, + stands for one level (lab/+/t1) and # for any number of levels at the end (lab/#). "+
			"The broker answers SUBACK with the QoS it grants each filter, and sends the retained messages of the matching topics.")
}

// suback decodes a SUBACK (§3.9): a packet identifier, then a return code for
// each filter of the SUBSCRIBE it answers.
func (a *Analyzer) suback(p *packet) lab.Message {
	id, _ := p.u16("packet identifier")
	filters := a.subs[id]
	delete(a.subs, id)
	var codes []string
	var explained []string
	for i := 1; p.left() > 0 && p.short == ""; i++ {
		c, off, _ := p.byte1("return code")
		v := ""
		switch {
		case c <= 2:
			v = fmt.Sprintf("QoS %d", c)
		case c == 0x80:
			v = "failure"
		default:
			v = fmt.Sprintf("reserved %d", c)
			p.fault(fmt.Sprintf("return code %d, which SUBACK does not have", c), "[MQTT-3.9.3-2]")
		}
		p.add(fmt.Sprintf("return code %d", i), fmt.Sprintf("0x%02x %s", c, v), off, 1)
		codes = append(codes, v)
		what := fmt.Sprintf("filter %d", i)
		if i <= len(filters) {
			what = fmt.Sprintf("%q", filters[i-1])
		}
		if c == 0x80 {
			explained = append(explained, what+": refused (0x80), the client gets nothing for it")
		} else {
			explained = append(explained, fmt.Sprintf("%s: granted %s", what, v))
		}
	}
	if len(codes) == 0 && p.short == "" {
		p.fault("no return code", "MQTT 3.1.1 §3.9.3")
	}
	meaning := "The broker answers the SUBSCRIBE with the same packet identifier, one return code per filter, in order: " +
		strings.Join(explained, "; ") + ". A granted QoS may be lower than the one asked for; the broker delivers at most at it. " +
		"0x80 means failure: the broker refused that filter (not allowed, or not valid)."
	return p.finish(fmt.Sprintf("SUBACK %d: %s", id, strings.Join(codes, ", ")), meaning)
}

// unsubscribe decodes an UNSUBSCRIBE (§3.10): a packet identifier, then topic filters.
func (a *Analyzer) unsubscribe(p *packet) lab.Message {
	id, _ := p.u16("packet identifier")
	var filters []string
	for i := 1; p.left() > 0 && p.short == ""; i++ {
		if f, ok := p.str(fmt.Sprintf("topic filter %d", i)); ok {
			filters = append(filters, f)
		}
	}
	if len(filters) == 0 && p.short == "" {
		p.fault("no topic filter", "[MQTT-3.10.3-2]")
	}
	return p.finish(fmt.Sprintf("UNSUBSCRIBE %d: %s", id, strings.Join(filters, ", ")),
		"The client stops its subscriptions to these filters, each written exactly as it subscribed. The broker answers UNSUBACK.")
}

// unsuback decodes an UNSUBACK (§3.11): a packet identifier.
func (a *Analyzer) unsuback(p *packet) lab.Message {
	id, _ := p.u16("packet identifier")
	p.extra()
	return p.finish(fmt.Sprintf("UNSUBACK %d", id),
		"The broker confirms the UNSUBSCRIBE with the same packet identifier: no more messages for those filters.")
}
