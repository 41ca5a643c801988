package ui

import (
	"encoding/json"

	"fyne.io/fyne/v2/widget"
)

// What the messaging panes keep in a saved session: the broker's address when
// typed, and each client column's forms (its id or name, what it subscribes
// to, what it publishes), so reopening the session gives back as many clients,
// ready to connect again. Passwords are not kept.

// maxSavedColumns bounds the columns a saved session may bring back.
const maxSavedColumns = 16

type mqttClientState struct {
	ID, KeepAlive, User    string
	Clean                  bool
	WillTopic, WillPayload string
	WillQoS                int
	WillRetain             bool
	Filter                 string
	SubQoS                 int
	Topic                  string
	PubQoS                 int
	Retain                 bool
	Payload                string
	Hex                    bool
}

type columnsState[S any] struct {
	Addr    string
	Clients []S
}

// restore puts back the address and, in as many columns, each column's state.
func restoreColumns[C column, S any](p *columnsPane[C], raw json.RawMessage, load func(C, S)) {
	var s columnsState[S]
	if json.Unmarshal(raw, &s) != nil {
		return
	}
	setAddr(p.addr, s.Addr)
	for len(p.cols) < min(len(s.Clients), maxSavedColumns) {
		p.addColumn()
	}
	for i, cs := range s.Clients[:min(len(s.Clients), len(p.cols))] {
		load(p.cols[i], cs)
	}
}

func saveColumns[C column, S any](p *columnsPane[C], save func(C) S) json.RawMessage {
	s := columnsState[S]{Addr: typedAddr(p.addr)}
	for _, c := range p.cols {
		s.Clients = append(s.Clients, save(c))
	}
	return marshalState(s)
}

func selectLevel(s *widget.Select, level int) {
	if level >= 0 && level < len(s.Options) {
		s.SetSelectedIndex(level)
	}
}

func (p *mqttPane) SaveState() json.RawMessage {
	return saveColumns(&p.columnsPane, func(c *mqttClient) mqttClientState {
		return mqttClientState{
			ID: c.id.Text, KeepAlive: c.keepAlive.Text, User: c.user.Text, Clean: c.clean.Checked,
			WillTopic: c.willTopic.Text, WillPayload: c.willPayload.Text, WillQoS: c.willQoS.SelectedIndex(), WillRetain: c.willRetain.Checked,
			Filter: c.filter.Text, SubQoS: c.subQoS.SelectedIndex(),
			Topic: c.topic.Text, PubQoS: c.pubQoS.SelectedIndex(), Retain: c.retain.Checked,
			Payload: c.comp.entry.Text, Hex: c.comp.mode.Selected == modeHex,
		}
	})
}

func (p *mqttPane) LoadState(raw json.RawMessage) {
	restoreColumns(&p.columnsPane, raw, func(c *mqttClient, s mqttClientState) {
		c.id.SetText(s.ID)
		c.keepAlive.SetText(s.KeepAlive)
		c.user.SetText(s.User)
		c.clean.SetChecked(s.Clean)
		c.willTopic.SetText(s.WillTopic)
		c.willPayload.SetText(s.WillPayload)
		selectLevel(c.willQoS, s.WillQoS)
		c.willRetain.SetChecked(s.WillRetain)
		c.filter.SetText(s.Filter)
		selectLevel(c.subQoS, s.SubQoS)
		c.topic.SetText(s.Topic)
		selectLevel(c.pubQoS, s.PubQoS)
		c.retain.SetChecked(s.Retain)
		c.comp.entry.SetText(s.Payload)
		setHex(c.comp, s.Hex)
	})
}

type natsConnState struct {
	Name, Filter, Queue, Subject, Payload string
	Hex                                   bool
	RespondOn, Answer                     string
}

func (p *natsPane) SaveState() json.RawMessage {
	return saveColumns(&p.columnsPane, func(c *natsConn) natsConnState {
		return natsConnState{
			Name: c.connName.Text, Filter: c.filter.Text, Queue: c.queue.Text,
			Subject: c.subject.Text, Payload: c.comp.entry.Text, Hex: c.comp.mode.Selected == modeHex,
			RespondOn: c.respondOn.Text, Answer: c.answer.Text,
		}
	})
}

func (p *natsPane) LoadState(raw json.RawMessage) {
	restoreColumns(&p.columnsPane, raw, func(c *natsConn, s natsConnState) {
		c.connName.SetText(s.Name)
		c.filter.SetText(s.Filter)
		c.queue.SetText(s.Queue)
		c.subject.SetText(s.Subject)
		c.comp.entry.SetText(s.Payload)
		setHex(c.comp, s.Hex)
		c.respondOn.SetText(s.RespondOn)
		c.answer.SetText(s.Answer)
	})
}

// setHex chooses the composer's text or hex mode.
func setHex(c *composer, hex bool) {
	if hex {
		c.mode.SetSelected(modeHex)
	} else {
		c.mode.SetSelected(modeText)
	}
}
