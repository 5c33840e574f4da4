# gpio-line-info.py /dev/gpiochipN  prints the chip's label and line count, then each named line's
# offset, name, direction, use and consumer, from the GPIO character device's v2 ioctls (the
# smoke test's independent check of the chip, written without the library under test).
import fcntl, struct, sys

GPIO_GET_CHIPINFO_IOCTL = 0x8044B401  # _IOR(0xB4, 0x01, struct gpiochip_info), 68 bytes
GPIO_V2_GET_LINEINFO_IOCTL = 0xC100B405  # _IOWR(0xB4, 0x05, struct gpio_v2_line_info), 256 bytes
FLAG_USED, FLAG_OUTPUT = 1 << 0, 1 << 3

def text(raw):
    return raw.split(b"\0", 1)[0].decode()

with open(sys.argv[1], "rb") as chip:
    info = fcntl.ioctl(chip, GPIO_GET_CHIPINFO_IOCTL, bytes(68))
    lines = struct.unpack_from("I", info, 64)[0]
    print("chip", text(info[32:64]), lines)
    for offset in range(lines):
        request = bytearray(256)
        struct.pack_into("I", request, 64, offset)
        line = fcntl.ioctl(chip, GPIO_V2_GET_LINEINFO_IOCTL, bytes(request))
        name, consumer = text(line[0:32]), text(line[32:64])
        flags = struct.unpack_from("Q", line, 72)[0]
        if not name:
            continue
        words = ["line", str(offset), name, "out" if flags & FLAG_OUTPUT else "in"]
        words += ["used", consumer] if flags & FLAG_USED else ["unused"]
        print(" ".join(words))
