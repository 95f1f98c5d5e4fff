"""Use cases of the events service: each loads through the repositories, decides through
the domain and stores the outcome with its events through the repositories. Routes,
pages, consumers and the background job all call these."""
