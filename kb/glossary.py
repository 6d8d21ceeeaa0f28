"""English -> Vietnamese terms of child protection, to match English questions against
Vietnamese passages lexically (the dense side handles the rest cross-lingually).
Longest phrase wins; add terms here as users ask new things."""

EN_VI = {
    "child abuse": "xâm hại trẻ em", "sexual abuse": "xâm hại tình dục", "abuse": "xâm hại",
    "abused": "xâm hại", "violence": "bạo lực", "school violence": "bạo lực học đường",
    "domestic violence": "bạo lực gia đình", "hotline": "tổng đài đường dây nóng",
    "helpline": "tổng đài", "phone number": "số điện thoại tổng đài", "report": "báo cáo thông báo tố giác",
    "reporting": "báo cáo chế độ báo cáo", "reports": "báo cáo", "forensic": "giám định pháp y",
    "forensic examination": "giám định pháp y", "police": "công an", "public security": "công an",
    "health": "y tế", "medical": "y tế khám bệnh chữa bệnh", "education": "giáo dục",
    "school": "trường học nhà trường", "schools": "trường học", "teacher": "giáo viên",
    "teachers": "giáo viên", "students": "học sinh", "justice": "tư pháp", "legal aid": "trợ giúp pháp lý",
    "labour": "lao động thương binh xã hội", "labor": "lao động thương binh xã hội",
    "social affairs": "lao động thương binh xã hội", "culture": "văn hóa", "information": "thông tin",
    "tourism": "du lịch", "travel": "du lịch", "foreign affairs": "ngoại vụ", "finance": "tài chính",
    "funding": "kinh phí", "funds": "kinh phí", "budget": "ngân sách kinh phí", "money": "kinh phí",
    "child marriage": "tảo hôn", "early marriage": "tảo hôn",
    "consanguineous marriage": "hôn nhân cận huyết thống", "ethnic affairs": "dân tộc",
    "ethnic minority": "dân tộc thiểu số", "ethnic": "dân tộc", "trafficking": "mua bán",
    "abduction": "bắt cóc", "kidnapping": "bắt cóc", "online": "môi trường mạng",
    "internet": "môi trường mạng internet", "cyberspace": "môi trường mạng", "social media": "mạng xã hội",
    "youth union": "đoàn thanh niên", "provincial youth union": "tỉnh đoàn", "women's union": "hội liên hiệp phụ nữ",
    "women union": "hội liên hiệp phụ nữ", "fatherland front": "mặt trận tổ quốc", "commune": "cấp xã",
    "communes": "xã", "ward": "phường", "people's committee": "ủy ban nhân dân", "chairman": "chủ tịch",
    "chairperson": "chủ tịch", "support": "hỗ trợ", "intervention": "can thiệp", "plan": "kế hoạch",
    "target": "mục tiêu chỉ tiêu", "targets": "mục tiêu chỉ tiêu", "goal": "mục tiêu", "percent": "%",
    "percentage": "tỷ lệ %", "rate": "tỷ lệ", "age": "tuổi", "years old": "tuổi", "old": "tuổi",
    "child": "trẻ em", "children": "trẻ em", "kids": "trẻ em", "rights": "quyền", "right": "quyền",
    "duties": "bổn phận trách nhiệm", "duty": "bổn phận trách nhiệm", "responsible": "trách nhiệm chủ trì",
    "in charge": "chủ trì trách nhiệm", "responsibility": "trách nhiệm", "responsibilities": "trách nhiệm",
    "prohibited": "nghiêm cấm", "forbidden": "nghiêm cấm", "banned": "nghiêm cấm", "define": "là",
    "special circumstances": "hoàn cảnh đặc biệt", "orphan": "mồ côi", "orphans": "mồ côi",
    "disabled": "khuyết tật", "disability": "khuyết tật", "disabilities": "khuyết tật",
    "alternative care": "chăm sóc thay thế", "foster": "chăm sóc thay thế", "adoption": "con nuôi",
    "adopted": "con nuôi", "emergency": "khẩn cấp", "urgent": "khẩn cấp", "working days": "ngày làm việc",
    "working day": "ngày làm việc", "hours": "giờ", "deadline": "thời hạn trước ngày", "month": "tháng",
    "action month": "tháng hành động", "participation": "tham gia", "participate": "tham gia",
    "children's council": "hội đồng trẻ em", "forum": "diễn đàn", "privacy": "bí mật đời sống riêng tư",
    "private life": "đời sống riêng tư", "personal information": "thông tin bí mật cá nhân",
    "consent": "đồng ý", "effective": "hiệu lực", "take effect": "có hiệu lực", "in force": "hiệu lực",
    "signed": "ký", "sign": "ký", "signer": "người ký", "recipients": "nơi nhận",
    "exploitation": "bóc lột", "labour exploitation": "bóc lột sức lao động", "neglect": "bỏ mặc",
    "neglected": "bỏ mặc", "abandon": "bỏ rơi", "abandoned": "bỏ rơi", "care": "chăm sóc",
    "protection": "bảo vệ", "protect": "bảo vệ", "prevention": "phòng ngừa phòng chống",
    "prevent": "phòng ngừa phòng chống", "training": "tập huấn", "train": "tập huấn",
    "communication": "truyền thông tuyên truyền", "awareness": "nhận thức tuyên truyền",
    "propaganda": "tuyên truyền", "counselling": "tư vấn", "counseling": "tư vấn",
    "psychological": "tâm lý", "social work": "công tác xã hội", "centre": "trung tâm", "center": "trung tâm",
    "investigation": "điều tra", "investigators": "điều tra viên", "child-friendly": "thân thiện với trẻ em",
    "friendly": "thân thiện", "victims": "nạn nhân", "victim": "nạn nhân",
    "hospital": "cơ sở khám bệnh chữa bệnh", "treatment": "điều trị", "life skills": "kỹ năng sống",
    "self-protection": "tự bảo vệ", "sex education": "giáo dục giới tính", "safe": "an toàn",
    "safety": "an toàn", "family": "gia đình", "families": "gia đình", "parents": "cha mẹ",
    "guardian": "người giám hộ", "caregiver": "người chăm sóc", "community": "cộng đồng",
    "collaborators": "cộng tác viên", "network": "mạng lưới", "monitoring": "giám sát theo dõi",
    "supervise": "giám sát", "inspection": "kiểm tra thanh tra", "inspect": "kiểm tra thanh tra",
    "statistics": "thống kê", "database": "cơ sở dữ liệu", "software": "phần mềm",
    "playgrounds": "điểm vui chơi", "play": "vui chơi giải trí", "entertainment": "giải trí",
    "media": "truyền thông báo chí", "press": "báo chí", "tourists": "khách du lịch",
    "foreigners": "người nước ngoài", "foreign": "nước ngoài", "hotel": "khách sạn",
    "tour guides": "hướng dẫn viên du lịch", "half-year": "6 tháng", "six-month": "6 tháng",
    "annual": "hằng năm", "yearly": "hàng năm", "every year": "hằng năm", "submission": "tờ trình",
    "decree": "nghị định", "law": "luật", "article": "điều", "official letter": "công văn",
    "sexual": "tình dục", "crime": "tội phạm", "crimes": "tội phạm", "criminal": "tội phạm",
    "harm": "tổn hại", "danger": "nguy hiểm", "risk": "nguy cơ", "at risk": "nguy cơ",
    "notify": "thông báo", "notification": "thông báo", "denounce": "tố giác", "who": "ai",
    "agency": "cơ quan", "agencies": "cơ quan", "department": "phòng sở", "ministry": "bộ",
    "district": "huyện", "province": "tỉnh", "city": "thành phố", "year": "năm", "years": "năm",
    "assessment": "đánh giá", "evaluate": "đánh giá", "approve": "phê duyệt", "approval": "phê duyệt",
    "plan of support": "kế hoạch hỗ trợ can thiệp", "case": "vụ việc", "cases": "vụ việc",
    "receive": "tiếp nhận", "receiving": "tiếp nhận", "national": "quốc gia", "free": "miễn phí",
    "scope": "phạm vi điều chỉnh", "regulates": "phạm vi điều chỉnh", "apply": "áp dụng",
    "principles": "nguyên tắc", "principle": "nguyên tắc", "religion": "tín ngưỡng tôn giáo",
    "property": "tài sản", "birth registration": "khai sinh", "nationality": "quốc tịch",
    "living with parents": "sống chung với cha mẹ", "health care": "chăm sóc sức khỏe",
    "learning": "học tập", "study": "học tập", "obligations": "bổn phận", "residents": "người dân",
    "minors": "người chưa thành niên", "under 18": "dưới 18 tuổi", "leaders": "người đứng đầu",
    "head": "người đứng đầu", "missing": "mất tích", "prison": "phạt tù", "homeless": "lang thang",
    "drugs": "ma túy", "household": "hộ gia đình", "households": "hộ gia đình",
    "materials": "tài liệu sản phẩm truyền thông", "share": "tỷ lệ %", "vietnam": "việt nam",
    "vietnamese": "việt nam", "suspected": "nghi ngờ phát hiện", "suspect": "nghi ngờ phát hiện", "hiv": "hiv", "poor": "nghèo", "poverty": "nghèo",
}

MAX_PHRASE = max(len(k.split()) for k in EN_VI)


def _stem(word: str) -> str:
    for suffix in ("ies", "es", "s", "ed", "ing"):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            base = word[: -len(suffix)] + ("y" if suffix == "ies" else "")
            if base in EN_VI:
                return base
    return word


def translate_terms(words: list[str]) -> tuple[list[str], list[str]]:
    """Vietnamese terms for the English words of a question (longest phrase first), and the
    words left untranslated."""
    words = [w if w in EN_VI else _stem(w) for w in words]
    out, missing, i = [], [], 0
    while i < len(words):
        for n in range(min(MAX_PHRASE, len(words) - i), 0, -1):
            phrase = " ".join(words[i:i + n])
            if phrase in EN_VI:
                out.append(EN_VI[phrase])
                i += n
                break
        else:
            missing.append(words[i])
            i += 1
    return out, missing
