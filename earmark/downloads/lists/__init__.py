"""The lists Earmark ships (bot user agents, data-centre CIDRs): data, loaded as version 1 by migration."""
