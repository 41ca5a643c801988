module github.com/protocollab/protolab

go 1.26.8

require (
	fyne.io/fyne/v2 v2.7.1 // indirect
	github.com/gorilla/websocket v1.5.3 // indirect
	github.com/jlaffaye/ftp v0.2.4 // indirect
	golang.org/x/sys v0.49.0 // indirect
)
