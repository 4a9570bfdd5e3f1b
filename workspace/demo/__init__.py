"""The demo data: people, organisations and the seed's three partnerships (``data``, ``partnerships``),
their loader (``loader``) and the synthetic bulk data set for benchmarks (``synthetic``)."""
