"""Key material: format, checksum, HMAC; no database."""

from earmark import credentials


def test_a_key_has_the_scannable_prefix_a_checksum_and_a_lookup_prefix():
    new = credentials.generate("live")
    assert new.secret.startswith("ek_live_")
    assert len(new.secret) == len("ek_live_") + credentials.RANDOM_LENGTH + credentials.CHECKSUM_LENGTH
    assert credentials.is_well_formed(new.secret)
    assert new.prefix == new.secret[:16]
    assert credentials.generate("test").secret.startswith("ek_test_")


def test_a_mistyped_key_fails_the_checksum():
    secret = credentials.generate().secret
    position = 12
    swapped = "A" if secret[position] != "A" else "B"
    typo = secret[:position] + swapped + secret[position + 1:]
    assert not credentials.is_well_formed(typo)
    assert not credentials.is_well_formed(secret[:-1])
    assert not credentials.is_well_formed("sk_live_" + secret[8:])


def test_only_an_hmac_under_the_server_secret_is_kept():
    new = credentials.generate()
    assert new.secret not in new.key_hash and len(new.key_hash) == 64
    assert credentials.matches(new.secret, new.key_hash)
    assert not credentials.matches(credentials.generate().secret, new.key_hash)
