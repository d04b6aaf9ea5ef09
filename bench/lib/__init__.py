"""What the benchmark scripts share: processes and their memory (processes), servers under test
(servers), wrk runs (wrk) and progress lines (reports). Standard library and httpx only, so a
child phase that imports it measures graphsvc, not the harness."""
