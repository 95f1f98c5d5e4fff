module nkohub/bench/loadgen

go 1.21
