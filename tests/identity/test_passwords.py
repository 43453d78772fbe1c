"""Password rules (NIST SP 800-63B: length and a blocklist, no composition rules) and argon2id hashes."""

import pytest
from argon2 import extract_parameters
from argon2.low_level import Type

from earmark.identity import passwords


def test_a_hash_is_argon2id_with_rfc_9106_parameters_and_verifies_only_the_password():
    stored = passwords.hash_password("correct horse battery staple")
    assert stored.startswith("$argon2id$v=19$") and "correct" not in stored
    parameters = extract_parameters(stored)
    assert (parameters.type, parameters.time_cost, parameters.memory_cost, parameters.parallelism) == (
        Type.ID, 3, 65536, 4)
    assert passwords.verify(stored, "correct horse battery staple")
    assert not passwords.verify(stored, "correct horse battery stapl")
    assert not passwords.verify("not a hash", "correct horse battery staple")
    # Each hash has its own salt.
    assert passwords.hash_password("correct horse battery staple") != stored


def test_the_same_password_typed_in_another_unicode_form_verifies():
    # Full-width letters: NFKC makes them ASCII.
    stored = passwords.hash_password("ｃａｆｅ ｏｎ ｔｈｅ ｃｏｒｎｅｒ")
    assert passwords.verify(stored, "cafe on the corner")


@pytest.mark.parametrize(("password", "sentence"), [
    ("eleven char", "A password needs at least 12 characters; this one has 11."),
    ("123123QWEQWE", "That password is in the list of common passwords attackers try first; choose another."),
    ("x" * 1025, "A password may have at most 1024 characters."),
])
def test_a_weak_password_is_refused_in_one_sentence(password, sentence):
    with pytest.raises(passwords.PasswordRefused) as refused:
        passwords.hash_password(password)
    assert str(refused.value).startswith(sentence)


def test_twelve_characters_not_in_the_list_pass_and_the_list_is_the_shipped_one():
    assert passwords.check("twelve chars") == "twelve chars"
    common = passwords.common_passwords()
    assert len(common) == 30_000 and {"password", "123456", "qwerty"} <= common
