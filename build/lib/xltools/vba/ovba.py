"""MS-OVBA algorithms: the compression of section 2.4.1 and the data encryption of section 2.4.3.

Compression is needed for every module's source and for the ``dir`` stream; encryption only for the three
protection values of the PROJECT stream (CMG, DPB, GC), which carry no secret here: the project is unprotected.
"""

from __future__ import annotations

from collections import defaultdict

CHUNK = 4096
_SIGNATURE = 0x01


def _bit_count(difference: int) -> int:
    """Bits of a copy token that hold the offset, given how far into the chunk the token sits (2.4.1.3.19.1)."""
    count = 4
    while (1 << count) < difference:
        count += 1
    return count


def _compress_chunk(data: bytes, start: int, end: int) -> bytes:
    """One CompressedChunk (header included) for data[start:end], following 2.4.1.3.7."""
    body = bytearray()
    # Candidate positions per 3-byte prefix: a match shorter than 3 is never used, so these are the only
    # positions the spec's exhaustive search (2.4.1.3.19.4) can pick. Lists grow in position order.
    seen: dict[bytes, list[int]] = defaultdict(list)

    def remember(upto: int, pos: int) -> int:
        while pos < upto:
            if pos + 3 <= end:
                seen[data[pos : pos + 3]].append(pos)
            pos += 1
        return pos

    indexed = start
    cur = start
    while cur < end:
        flag_at = len(body)
        body.append(0)
        flags = 0
        for bit in range(8):
            if cur >= end:
                break
            indexed = remember(cur, indexed)
            best_len = 0
            best_pos = 0
            if cur + 3 <= end:
                for cand in reversed(seen.get(data[cur : cur + 3], ())):
                    n = 3
                    while cur + n < end and data[cand + n] == data[cur + n]:
                        n += 1
                    # Strictly longer wins: on ties the nearest candidate stays, as in the spec.
                    if n > best_len:
                        best_len, best_pos = n, cand
                        if cur + n >= end:
                            break
            if best_len >= 3:
                bits = _bit_count(cur - start)
                length_mask = 0xFFFF >> bits
                length = min(best_len, length_mask + 3)
                token = ((cur - best_pos - 1) << (16 - bits)) | (length - 3)
                body += token.to_bytes(2, "little")
                flags |= 1 << bit
                cur += length
            else:
                body.append(data[cur])
                cur += 1
        body[flag_at] = flags
    if len(body) > CHUNK:
        if end - start != CHUNK:
            # Only a full chunk can be stored raw without the decompressor appending padding bytes.
            raise ValueError("incompressible tail chunk: not expected for VBA source text")
        return (0x3FFF).to_bytes(2, "little") + data[start:end]
    header = 0xB000 | (len(body) + 2 - 3)
    return header.to_bytes(2, "little") + bytes(body)


def compress(data: bytes) -> bytes:
    """A CompressedContainer (2.4.1.1.1) holding ``data``."""
    out = bytearray([_SIGNATURE])
    for start in range(0, len(data), CHUNK):
        out += _compress_chunk(data, start, min(start + CHUNK, len(data)))
    return bytes(out)


def decompress(container: bytes) -> bytes:
    """The bytes a CompressedContainer holds (2.4.1.3.1). Raises ValueError on a malformed container."""
    if not container or container[0] != _SIGNATURE:
        raise ValueError("not a compressed container: signature byte is not 0x01")
    out = bytearray()
    pos = 1
    while pos < len(container):
        if pos + 2 > len(container):
            raise ValueError("truncated chunk header")
        header = int.from_bytes(container[pos : pos + 2], "little")
        size = (header & 0x0FFF) + 3
        if (header >> 12) & 0x7 != 0b011:
            raise ValueError(f"bad chunk signature at offset {pos}")
        chunk_end = min(pos + size, len(container))
        pos += 2
        chunk_start = len(out)
        if not header & 0x8000:
            out += container[pos : pos + CHUNK]
            pos += CHUNK
            continue
        while pos < chunk_end:
            flags = container[pos]
            pos += 1
            for bit in range(8):
                if pos >= chunk_end:
                    break
                if not flags & (1 << bit):
                    out.append(container[pos])
                    pos += 1
                    continue
                token = int.from_bytes(container[pos : pos + 2], "little")
                pos += 2
                bits = _bit_count(len(out) - chunk_start)
                length = (token & (0xFFFF >> bits)) + 3
                offset = (token >> (16 - bits)) + 1
                if offset > len(out) - chunk_start:
                    raise ValueError("copy token points before the chunk")
                src = len(out) - offset
                for i in range(length):  # byte by byte: source and target may overlap
                    out.append(out[src + i])
    return bytes(out)


def project_key(project_id: str) -> int:
    """The key of 2.4.3.2: the sum of the bytes of the PROJECT stream's ID value, modulo 256."""
    return sum(project_id.encode("ascii")) & 0xFF


def encrypt(data: bytes, project_id: str, seed: int) -> str:
    """Data encryption (2.4.3.2) of ``data`` as the hex text of the PROJECT stream's CMG/DPB/GC values.

    The seed only hides, it does not protect; a fixed seed keeps builds reproducible.
    """
    version = 2
    key = project_key(project_id)
    out = bytearray([seed, seed ^ version, seed ^ key])
    unencrypted1, encrypted1, encrypted2 = key, seed ^ key, seed ^ version

    def put(byte: int) -> None:
        nonlocal unencrypted1, encrypted1, encrypted2
        enc = byte ^ ((encrypted2 + unencrypted1) & 0xFF)
        out.append(enc)
        encrypted2, encrypted1, unencrypted1 = encrypted1, enc, byte

    for _ in range((seed & 6) // 2):
        put(0)  # ignored bytes: any value will do
    for byte in len(data).to_bytes(4, "little") + data:
        put(byte)
    return out.hex().upper()


def decrypt(text: str) -> bytes:
    """The data behind a CMG/DPB/GC value (2.4.3.3)."""
    raw = bytes.fromhex(text)
    seed, version_enc, key_enc = raw[0], raw[1], raw[2]
    if seed ^ version_enc != 2:
        raise ValueError("unknown encryption version")
    unencrypted1, encrypted1, encrypted2 = seed ^ key_enc, key_enc, version_enc
    plain = bytearray()
    for enc in raw[3:]:
        byte = enc ^ ((encrypted2 + unencrypted1) & 0xFF)
        plain.append(byte)
        encrypted2, encrypted1, unencrypted1 = encrypted1, enc, byte
    ignored = (seed & 6) // 2
    length = int.from_bytes(plain[ignored : ignored + 4], "little")
    data = bytes(plain[ignored + 4 :])
    if len(data) != length:
        raise ValueError(f"encrypted length {length} does not match {len(data)} data bytes")
    return data
