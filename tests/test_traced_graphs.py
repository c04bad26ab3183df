"""The graph pictures are reproduced by a fresh trace of each framework (generated files, not drawings)."""

from ramverk.render import traced_graphs


def test_committed_graphs_match_a_fresh_trace():
    assert traced_graphs.differences() == []


def test_graph_files_carry_the_generated_header():
    for name in traced_graphs.GRAPHS:
        assert (traced_graphs.out_dir() / f"{name}.dot").read_text().startswith(traced_graphs.HEADER)
        assert "do not edit" in (traced_graphs.out_dir() / f"{name}.svg").read_text()
