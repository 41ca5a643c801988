module early.protolab/env

go 1.26.8
