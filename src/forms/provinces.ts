/** The 77 provinces of Thailand (76 provinces and Bangkok). */
export interface Province {
  /** Official Thai name, without "จังหวัด". */
  readonly thai: string;
  /** Romanised name as the government writes it. */
  readonly english: string;
  /** Official two-letter abbreviations and common alternative spellings. */
  readonly abbreviations: readonly string[];
}

const p = (thai: string, english: string, ...abbreviations: string[]): Province => ({ thai, english, abbreviations });

export const PROVINCES: readonly Province[] = [
  p("กรุงเทพมหานคร", "Bangkok", "กทม", "กรุงเทพฯ", "กรุงเทพ", "Krung Thep Maha Nakhon"),
  p("กระบี่", "Krabi", "กบ"),
  p("กาญจนบุรี", "Kanchanaburi", "กจ"),
  p("กาฬสินธุ์", "Kalasin", "กส"),
  p("กำแพงเพชร", "Kamphaeng Phet", "กพ"),
  p("ขอนแก่น", "Khon Kaen", "ขก"),
  p("จันทบุรี", "Chanthaburi", "จบ"),
  p("ฉะเชิงเทรา", "Chachoengsao", "ฉช"),
  p("ชลบุรี", "Chon Buri", "ชบ"),
  p("ชัยนาท", "Chai Nat", "ชน", "Chainat"),
  p("ชัยภูมิ", "Chaiyaphum", "ชย"),
  p("ชุมพร", "Chumphon", "ชพ"),
  p("เชียงราย", "Chiang Rai", "ชร"),
  p("เชียงใหม่", "Chiang Mai", "ชม"),
  p("ตรัง", "Trang", "ตง"),
  p("ตราด", "Trat", "ตร"),
  p("ตาก", "Tak", "ตก"),
  p("นครนายก", "Nakhon Nayok", "นย"),
  p("นครปฐม", "Nakhon Pathom", "นฐ"),
  p("นครพนม", "Nakhon Phanom", "นพ"),
  p("นครราชสีมา", "Nakhon Ratchasima", "นม", "โคราช", "Korat"),
  p("นครศรีธรรมราช", "Nakhon Si Thammarat", "นศ"),
  p("นครสวรรค์", "Nakhon Sawan", "นว"),
  p("นนทบุรี", "Nonthaburi", "นบ"),
  p("นราธิวาส", "Narathiwat", "นธ"),
  p("น่าน", "Nan", "นน"),
  p("บึงกาฬ", "Bueng Kan", "บก", "Bueng Kal"),
  p("บุรีรัมย์", "Buri Ram", "บร"),
  p("ปทุมธานี", "Pathum Thani", "ปท"),
  p("ประจวบคีรีขันธ์", "Prachuap Khiri Khan", "ปข"),
  p("ปราจีนบุรี", "Prachin Buri", "ปจ"),
  p("ปัตตานี", "Pattani", "ปน"),
  p("พระนครศรีอยุธยา", "Phra Nakhon Si Ayutthaya", "อย", "อยุธยา", "Ayutthaya", "Ayuthaya"),
  p("พะเยา", "Phayao", "พย"),
  p("พังงา", "Phangnga", "พง", "Phang Nga"),
  p("พัทลุง", "Phatthalung", "พท"),
  p("พิจิตร", "Phichit", "พจ"),
  p("พิษณุโลก", "Phitsanulok", "พล"),
  p("เพชรบุรี", "Phetchaburi", "พบ"),
  p("เพชรบูรณ์", "Phetchabun", "พช"),
  p("แพร่", "Phrae", "พร"),
  p("ภูเก็ต", "Phuket", "ภก"),
  p("มหาสารคาม", "Maha Sarakham", "มค"),
  p("มุกดาหาร", "Mukdahan", "มห"),
  p("แม่ฮ่องสอน", "Mae Hong Son", "มส"),
  p("ยโสธร", "Yasothon", "ยส"),
  p("ยะลา", "Yala", "ยล"),
  p("ร้อยเอ็ด", "Roi Et", "รอ"),
  p("ระนอง", "Ranong", "รน"),
  p("ระยอง", "Rayong", "รย"),
  p("ราชบุรี", "Ratchaburi", "รบ"),
  p("ลพบุรี", "Lop Buri", "ลบ"),
  p("ลำปาง", "Lampang", "ลป"),
  p("ลำพูน", "Lamphun", "ลพ"),
  p("เลย", "Loei", "ลย"),
  p("ศรีสะเกษ", "Si Sa Ket", "ศก", "Sisaket"),
  p("สกลนคร", "Sakon Nakhon", "สน"),
  p("สงขลา", "Songkhla", "สข"),
  p("สตูล", "Satun", "สต"),
  p("สมุทรปราการ", "Samut Prakan", "สป", "Samut Prakarn"),
  p("สมุทรสงคราม", "Samut Songkhram", "สส"),
  p("สมุทรสาคร", "Samut Sakhon", "สค"),
  p("สระแก้ว", "Sa Kaeo", "สก", "Sa Kaew"),
  p("สระบุรี", "Saraburi", "สบ"),
  p("สิงห์บุรี", "Sing Buri", "สห"),
  p("สุโขทัย", "Sukhothai", "สท"),
  p("สุพรรณบุรี", "Suphan Buri", "สพ"),
  p("สุราษฎร์ธานี", "Surat Thani", "สฎ"),
  p("สุรินทร์", "Surin", "สร"),
  p("หนองคาย", "Nong Khai", "นค"),
  p("หนองบัวลำภู", "Nong Bua Lam Phu", "นภ", "Nong Bua Lamphu"),
  p("อ่างทอง", "Ang Thong", "อท"),
  p("อำนาจเจริญ", "Amnat Charoen", "อจ"),
  p("อุดรธานี", "Udon Thani", "อด"),
  p("อุตรดิตถ์", "Uttaradit", "อต"),
  p("อุทัยธานี", "Uthai Thani", "อน"),
  p("อุบลราชธานี", "Ubon Ratchathani", "อบ"),
];

/** NFC, lower case, without "จังหวัด"/"จ." and without spaces, dots, hyphens or ฯ. */
export function normaliseProvinceName(text: string): string {
  return text
    .normalize("NFC")
    .trim()
    .replace(/^(?:จังหวัด|จ\.)/, "")
    .replace(/[\s.\-_'ฯ]/g, "")
    .toLowerCase();
}

export interface FindProvinceOptions {
  /** Also accept the short abbreviations (default true). Off for free text where "สส" is a form code. */
  readonly abbreviations?: boolean;
}

const NAMES = new Map<string, Province>();
const SHORT_NAMES = new Map<string, Province>();
for (const province of PROVINCES) {
  NAMES.set(normaliseProvinceName(province.thai), province);
  NAMES.set(normaliseProvinceName(province.english), province);
  for (const alias of province.abbreviations) {
    const key = normaliseProvinceName(alias);
    // Two Thai letters is an official abbreviation; longer aliases are names in their own right.
    if (/^[ก-ฮ]{2,3}$/.test(key)) SHORT_NAMES.set(key, province);
    else NAMES.set(key, province);
  }
}

/**
 * The province with exactly this name after normalising: "จังหวัดแพร่", "จ.แพร่", "แพร่", "Phrae",
 * "phrae", "พร", "กทม", "กรุงเทพฯ". No fuzzy matching.
 */
export function findProvinceByName(text: string, options: FindProvinceOptions = {}): Province | null {
  const key = normaliseProvinceName(text);
  if (key === "") return null;
  const byName = NAMES.get(key);
  if (byName) return byName;
  return options.abbreviations === false ? null : (SHORT_NAMES.get(key) ?? null);
}
